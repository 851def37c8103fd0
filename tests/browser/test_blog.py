"""The class blog as people use it: the mentor lets the students write, a student posts a
picture, a teacher approves it and a guardian's open blog on her phone shows it without a
reload; comments appear live and a hidden comment disappears for the readers; a refused
upload brings the form back with what was written.

The blogs start empty (the browser tests seed ``seed_demo`` only) but are shared by the
whole session, so texts are found by a token unique to each test run. The pages are found
by ids, test ids and form fields rather than by their words, so the test reads the same in
Swedish and English.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from tests.browser.servers import (  # noqa: F401 - fixtures used by name
    Person,
    open_as_fixture,
    restartable_server_fixture,
    sessions_fixture,
)
from tests.browser.support import server_datetime
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_dialogue import overflowing

OpenAs = Callable[..., Person]

PHONE = {"width": 360, "height": 740}
# A new post or comment reaches an open page through the socket and one fetch.
LIVE_TIMEOUT = 15_000


def token(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


def drawing(path: Path, size: tuple[int, int] = (120, 80)) -> Path:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).ellipse((20, 10, size[0] - 20, size[1] - 10), fill="orange", outline="navy")
    image.save(path)
    return path


class Blog:
    """One class's blog page, found by its data attributes and form fields."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.page = page = person.page
        self.root = page.locator("[data-blog]")
        self.connection = page.locator("[data-connection]")
        self.published = page.locator('[data-list="published"]')
        self.queue = page.locator("[data-queue]")
        self.write_form = page.locator("form[data-blog-form]")
        self.settings_form = page.locator("form[action$='/blog/settings/']")

    @property
    def class_id(self) -> int:
        return int(self.root.get_attribute("data-blog") or 0)

    def post(self, title: str) -> Locator:
        """Every copy of the post with this title on the page (expect one)."""
        return self.page.locator("article[data-post]").filter(
            has=self.page.locator(".blog-post__title", has_text=title)
        )

    def expect_live(self) -> None:
        expect(self.connection).to_contain_class("connection--online", timeout=LIVE_TIMEOUT)

    def mark_loaded(self) -> None:
        """A flag that only this load of the page has: gone after any reload or navigation."""
        self.page.evaluate("window.__sameBlogPage = true")

    def expect_same_load(self) -> None:
        assert self.page.evaluate("window.__sameBlogPage === true"), "the page was reloaded"

    def open_details(self, details: Locator) -> None:
        if not details.evaluate("(node) => node.open"):
            details.locator(":scope > summary").click()

    def change_settings(self, *, student_posts: bool | None = None, comments: str | None = None) -> None:
        self.open_details(self.page.locator("details").filter(has=self.settings_form))
        if student_posts is not None:
            self.settings_form.locator("input[name=student_posts]").set_checked(student_posts)
        if comments is not None:
            self.settings_form.locator(f"input[name=comments][value={comments}]").check()
        self.settings_form.locator("button[type=submit]").click()
        expect(self.page.locator(".messages .message--success")).to_be_visible()

    def fill_post(self, title: str, body: str, images: tuple[tuple[Path, str], ...] = ()) -> None:
        self.open_details(self.page.locator("details#write"))
        self.write_form.locator("#post-title").fill(title)
        self.write_form.locator("#post-body").fill(body)
        for slot, (path, alt) in enumerate(images, start=1):
            self.write_form.locator(f"#image-{slot}").set_input_files(path)
            if alt:
                self.write_form.locator(f"#alt-new-{slot}").fill(alt)

    def submit_post(self) -> None:
        self.write_form.locator("button[type=submit]").click()
        self.page.wait_for_load_state()


def open_blogs(page: Page) -> None:
    """The list of one's class blogs, from the main menu (behind its button on a phone)."""
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():
        toggle.click()
    page.locator("#site-nav a[href='/blogs/']").click()
    expect(page.get_by_test_id("blogs")).to_be_visible()


def blog_tile(page: Page, class_name: str) -> Locator:
    return (
        page.get_by_test_id("blogs")
        .locator("li.tile")
        .filter(has=page.locator("a.tile__link", has_text=re.compile(rf"\b{class_name}$")))
    )


def open_blog(person: Person, class_name: str) -> Blog:
    open_blogs(person.page)
    blog_tile(person.page, class_name).locator("a.tile__link").click()
    expect(person.page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"\b{class_name}$"))
    blog = Blog(person)
    blog.expect_live()
    return blog


def allow_student_posts(open_as: OpenAs) -> Blog:
    """The mentor of 4A lets the students write (a teacher approves each post)."""
    lars = open_blog(open_as("lars.berglund"), "4A")
    lars.change_settings(student_posts=True)
    expect(lars.settings_form.locator("input[name=student_posts]")).to_be_checked()
    lars.expect_live()
    return lars


def post_id(post: Locator) -> int:
    return int(post.get_attribute("data-post") or 0)


def expect_image_shown(image: Locator, width: int) -> None:
    image.scroll_into_view_if_needed()
    image.page.wait_for_function(
        "([image, width]) => image.complete && image.naturalWidth === width",
        arg=[image.element_handle(), width],
    )


# --- 1. A student's post with a picture, approved, appears live for a guardian ----------------


def test_a_students_post_with_a_picture_appears_live_for_a_guardian_once_a_teacher_approves_it(
    open_as: OpenAs, tmp_path: Path
) -> None:
    problems: list[str] = []
    tag = token("utflykt")
    title = f"Vår utflykt till skogen {tag}"
    alt = f"En orange sol över granarna {tag}"

    # The mentor turns on student posts in the blog's settings.
    lars = allow_student_posts(open_as)
    expect(lars.queue).to_be_visible()

    # Sofia, on her phone, sees both her children's class blogs, each labelled with the child.
    sofia_person = open_as("sofia.lindqvist", **PHONE)
    open_blogs(sofia_person.page)
    tiles = sofia_person.page.get_by_test_id("blogs").locator("li.tile")
    expect(tiles).to_have_count(2)
    expect(blog_tile(sofia_person.page, "4A")).to_contain_text("Elsa Lindqvist")
    expect(blog_tile(sofia_person.page, "4A")).not_to_contain_text("Hugo Lindqvist")
    expect(blog_tile(sofia_person.page, "5B")).to_contain_text("Hugo Lindqvist")
    expect(blog_tile(sofia_person.page, "5B")).not_to_contain_text("Elsa Lindqvist")
    assert overflowing(sofia_person.page, PHONE["width"]) == []
    problems += [f"blogs list (phone): {v}" for v in axe_violations(sofia_person.page)]

    # She opens 4A's blog and keeps it open.
    blog_tile(sofia_person.page, "4A").locator("a.tile__link").click()
    sofia = Blog(sofia_person)
    sofia.expect_live()
    expect(sofia_person.page.get_by_test_id("blog-label")).to_contain_text("Elsa Lindqvist")
    expect(sofia.write_form).to_have_count(0)  # guardians read the blog, they do not write on it
    sofia.mark_loaded()

    # Another teacher of the class has the blog open too; his queue is empty.
    ahmed = open_blog(open_as("ahmed.hassan"), "4A")
    expect(ahmed.queue.locator("[data-empty]")).to_be_visible()

    # Elsa writes a post with a picture and its description; it waits for a teacher.
    elsa = open_blog(open_as("elsa.lindqvist"), "4A")
    picture = drawing(tmp_path / "skogen.png")
    elsa.fill_post(title, f"Vi såg en hackspett och grillade korv. {tag}", ((picture, alt),))
    elsa.submit_post()
    mine = elsa.post(title)
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("data-state", "pending")
    pid = post_id(mine)
    expect(elsa.published.locator(f"#post-{pid}")).to_have_count(0)
    elsa.expect_live()

    # The mentor's open blog shows it in the approval queue, live.
    waiting = lars.queue.locator(f"#post-{pid}")
    expect(waiting).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(waiting.locator("img")).to_have_attribute("alt", alt)
    expect(lars.queue.locator("[data-empty]")).to_be_hidden()
    problems += [f"blog with a waiting post (teacher): {v}" for v in axe_violations(lars.page)]
    expect(ahmed.queue.locator(f"#post-{pid}")).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(ahmed.queue.locator("[data-empty]")).to_be_hidden()

    # The guardian does not see it while it waits: not on her open page, not even by its URL.
    expect(sofia.post(title)).to_have_count(0)
    fragment = sofia_person.page.request.get(f"/classes/{sofia.class_id}/blog/posts/{pid}/?fragment=1")
    assert fragment.status == 404
    image_url = waiting.locator("img").get_attribute("src") or ""
    assert sofia_person.page.request.get(image_url).status == 404

    # The mentor approves it; it leaves his queue and is on the blog.
    waiting.get_by_test_id("review").locator("form[action$='/approve/'] button[type=submit]").click()
    expect(lars.page.locator(".messages .message--success")).to_be_visible()
    expect(lars.queue.locator(f"#post-{pid}")).to_have_count(0)
    expect(lars.published.locator(f"#post-{pid}")).to_have_count(1)

    # Sofia's page shows it without a reload, with the picture and its description.
    arrived = sofia.published.locator(f"#post-{pid}")
    expect(arrived).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(arrived).to_have_attribute("data-state", "published")
    expect(arrived.locator(".blog-post__title")).to_have_text(title)
    shown = arrived.locator(".blog-post__image img")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("alt", alt)
    expect(shown).to_be_visible()
    expect_image_shown(shown, 120)
    sofia.expect_same_load()
    assert overflowing(sofia_person.page, PHONE["width"]) == []
    problems += [f"blog with a post (guardian, phone): {v}" for v in axe_violations(sofia_person.page)]

    # The other teacher's open queue is empty again, and the post is on his blog.
    expect(ahmed.queue.locator(f"#post-{pid}")).to_have_count(0, timeout=LIVE_TIMEOUT)
    expect(ahmed.queue.locator("[data-empty]")).to_be_visible()
    expect(ahmed.published.locator(f"#post-{pid}")).to_have_count(1)

    # Elsa's own page moved it from her waiting posts (now none, so that part goes) to the blog.
    expect(elsa.published.locator(f"#post-{pid}")).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(elsa.post(title)).to_have_count(1)
    expect(elsa.page.locator("section.blog__mine")).to_be_hidden()
    assert problems == []


# --- 2. Comments: live for the readers, and hidden by a teacher --------------------------------


def test_a_students_comment_appears_live_for_a_guardian_and_a_teacher_hides_it(open_as: OpenAs) -> None:
    tag = token("kommentar")
    title = f"Veckobrev vecka 12 {tag}"
    comment_text = f"Det var jättekul på idrotten! {tag}"

    # The mentor keeps comments to the students and teachers, and publishes a post at once.
    lars = open_blog(open_as("lars.berglund"), "4A")
    lars.change_settings(comments="class")
    lars.fill_post(title, f"På fredag har vi idrottsdag. Ta med matsäck. {tag}")
    lars.submit_post()
    expect(lars.published.locator("article").filter(has_text=tag)).to_have_count(1)
    pid = post_id(lars.post(title))
    lars.expect_live()

    # Sofia reads the blog on her phone; under this setting she reads comments but writes none.
    sofia = open_blog(open_as("sofia.lindqvist", **PHONE), "4A")
    on_sofias = sofia.published.locator(f"#post-{pid}")
    expect(on_sofias).to_have_count(1)
    expect(on_sofias.locator("[data-comment-form]")).to_have_count(0)
    sofia.mark_loaded()

    # Elsa comments; the comment appears on Sofia's open page and on the mentor's.
    elsa = open_blog(open_as("elsa.lindqvist"), "4A")
    form = elsa.published.locator(f"#post-{pid} [data-comment-form]")
    form.locator(f"#post-{pid}-comment").fill(comment_text)
    form.locator("button[type=submit]").click()
    expect(
        elsa.published.locator(f"#post-{pid} [data-comments] li").filter(has_text=comment_text)
    ).to_have_count(1)
    comment = on_sofias.locator("[data-comments] li.blog-comment").filter(has_text=comment_text)
    expect(comment).to_have_count(1, timeout=LIVE_TIMEOUT)
    comment_id = comment.get_attribute("id") or ""
    assert re.fullmatch(r"comment-\d+", comment_id)
    on_lars = lars.published.locator(f"#{comment_id}")
    expect(on_lars).to_contain_text(comment_text, timeout=LIVE_TIMEOUT)
    sofia.expect_same_load()
    assert overflowing(sofia.page, PHONE["width"]) == []
    # The comment's time is written like the post's: in full, in the school's zone.
    for time in (on_sofias.locator(".blog-post__head time"), comment.locator("time")):
        expect(time).to_have_text(server_datetime(time.get_attribute("datetime") or ""))

    # The mentor hides it with a reason kept on record.
    hide = on_lars.locator("details.blog-comment__hide")
    lars.open_details(hide)
    hide.locator("input[name=reason]").fill("Handlar om en enskild elev")
    hide.locator("button[type=submit]").click()
    expect(lars.page.locator(".messages .message--success")).to_be_visible()
    record = lars.published.locator(f"#{comment_id}")
    expect(record).to_contain_class("blog-comment--hidden")
    expect(record.locator(".blog-comment__record")).to_contain_text("Handlar om en enskild elev")
    problems = [f"blog with a hidden comment (teacher): {v}" for v in axe_violations(lars.page)]

    # The readers see the placeholder, live; the text is gone for them.
    hidden = sofia.published.locator(f"#{comment_id}")
    expect(hidden).to_contain_class("blog-comment--hidden", timeout=LIVE_TIMEOUT)
    expect(hidden.locator(".hint")).to_be_visible()
    expect(on_sofias).not_to_contain_text(comment_text)
    expect(on_sofias).not_to_contain_text("Handlar om en enskild elev")
    sofia.expect_same_load()
    on_elsas = elsa.published.locator(f"#{comment_id}")
    expect(on_elsas).to_contain_class("blog-comment--hidden", timeout=LIVE_TIMEOUT)
    expect(elsa.published.locator(f"#post-{pid}")).not_to_contain_text(comment_text)
    # Nor is it in the page a reader loads afresh.
    sofia.page.reload()
    expect(sofia.published.locator(f"#{comment_id}")).to_contain_class("blog-comment--hidden")
    expect(sofia.published.locator(f"#post-{pid}")).not_to_contain_text(comment_text)
    problems += [f"blog with comments (student): {v}" for v in axe_violations(elsa.page)]
    assert problems == []


# --- 3. Refused uploads bring the form back with what was written -------------------------------


def test_refused_uploads_bring_the_form_back_with_the_text_and_the_good_picture_kept(
    open_as: OpenAs, tmp_path: Path
) -> None:
    lars = allow_student_posts(open_as)
    tag = token("fel")
    title = f"Min teckning {tag}"
    body = f"Här är min teckning av en katt. {tag}"
    good = drawing(tmp_path / "katt.png")
    disguised = tmp_path / "hund.png"
    disguised.write_text("Det här är ingen bild, bara text.\n" * 20)
    # A real PNG of random pixels: over the blog's 8 MB for images, under the upload limit.
    huge = tmp_path / "stor.png"
    Image.frombytes("RGB", (1800, 1800), os.urandom(1800 * 1800 * 3)).save(huge, compress_level=0)
    assert 8 * 1024 * 1024 < huge.stat().st_size < 10 * 1024 * 1024

    person = open_as("elsa.lindqvist", **PHONE)
    elsa = open_blog(person, "4A")
    elsa.fill_post(title, body)
    slots = elsa.write_form.locator("[data-image-slot]")
    expect(slots).to_have_count(3)
    # On a phone the form shows one image's fields at a time.
    expect(slots.nth(0)).to_be_visible()
    expect(slots.nth(1)).to_be_hidden()

    # Too large an image is named at once, before a long upload, and is not kept.
    elsa.write_form.locator("#image-1").set_input_files(huge)
    too_large = slots.nth(0).locator("[role=alert]")
    expect(too_large).to_be_visible()
    expect(too_large).to_contain_text("stor.png")
    expect(too_large).to_contain_text("8 MB")
    expect(elsa.write_form.locator("#image-1")).to_have_js_property("value", "")
    expect(slots.nth(1)).to_be_hidden()
    assert overflowing(elsa.page, PHONE["width"]) == []

    # A good picture, then a text file named .png: the server refuses the latter.
    elsa.write_form.locator("#image-1").set_input_files(good)
    expect(too_large).to_have_count(0)
    elsa.write_form.locator("#alt-new-1").fill(f"En grå katt {tag}")
    expect(slots.nth(1)).to_be_visible()
    elsa.write_form.locator("#image-2").set_input_files(disguised)
    elsa.write_form.locator("#alt-new-2").fill("En hund")
    elsa.submit_post()

    # The form is back, open, with a clear error naming the refused file.
    error = elsa.page.locator("#post-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("hund.png")
    expect(error).to_contain_text(re.compile("PNG.*PDF"))
    expect(elsa.page.locator("details#write")).to_have_attribute("open", "")
    expect(elsa.write_form.locator("#post-title")).to_have_value(title)
    expect(elsa.write_form.locator("#post-body")).to_have_value(body)
    # The picture that passed is kept, with its description, and nothing was posted.
    kept = elsa.write_form.locator("[data-kept]")
    expect(kept).to_have_count(1)
    expect(kept).to_contain_text("katt")
    expect(kept.locator("input[name^='alt_']")).to_have_value(f"En grå katt {tag}")
    expect(elsa.post(title)).to_have_count(0)
    assert overflowing(elsa.page, PHONE["width"]) == []
    problems = [f"refused post form (phone): {v}" for v in axe_violations(elsa.page)]

    # Sent again as it is, the post goes to the teachers with the kept picture only.
    elsa.submit_post()
    mine = elsa.post(title)
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("data-state", "pending")
    expect(mine.locator("img")).to_have_count(1)
    expect(mine.locator("img")).to_have_attribute("alt", f"En grå katt {tag}")
    expect_image_shown(mine.locator("img"), 120)
    elsa.expect_live()

    # A teacher declines it with a reason; Elsa's open page shows the reason without a reload.
    # The other teachers' open queues drop it: a declined post is its writer's only, so the
    # fetch they make on the notice is answered 404 (the page's sign that a post is gone).
    elsa.mark_loaded()
    ahmed = open_blog(open_as("ahmed.hassan"), "4A")
    expect(lars.queue.locator(f"#post-{post_id(mine)}")).to_have_count(1, timeout=LIVE_TIMEOUT)
    gone = (404, f"/blog/posts/{post_id(mine)}/?fragment=1")
    for teacher in (lars, ahmed):
        teacher.person.problems.expected_statuses.append(gone)
    review = ahmed.queue.locator(f"#post-{post_id(mine)}").get_by_test_id("review")
    ahmed.open_details(review.locator("details.blog-post__decline"))
    review.locator("input[name=reason]").fill(f"Skriv gärna lite mer om katten först. {tag}")
    review.locator("form[action$='/decline/'] button[type=submit]").click()
    expect(ahmed.queue.locator(f"#post-{post_id(mine)}")).to_have_count(0)
    expect(lars.queue.locator(f"#post-{post_id(mine)}")).to_have_count(0, timeout=LIVE_TIMEOUT)
    declined = elsa.page.locator('[data-list="declined"]').locator(f"#post-{post_id(mine)}")
    expect(declined).to_have_count(1, timeout=LIVE_TIMEOUT)
    expect(declined).to_contain_text(f"Skriv gärna lite mer om katten först. {tag}")
    expect(elsa.page.locator('[data-list="pending"] [data-post]')).to_have_count(0)
    elsa.expect_same_load()
    problems += [f"declined post (student, phone): {v}" for v in axe_violations(elsa.page)]
    assert problems == []


def test_a_picture_without_a_description_is_refused_and_the_text_stays(
    open_as: OpenAs, tmp_path: Path
) -> None:
    ahmed = open_blog(open_as("ahmed.hassan"), "4A")
    tag = token("alt")
    title = f"Matteuppgifter {tag}"
    ahmed.fill_post(
        title, f"Veckans uppgifter finns på bilden. {tag}", ((drawing(tmp_path / "tavla.png"), ""),)
    )
    ahmed.submit_post()
    error = ahmed.page.locator("#post-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("tavla.png")
    expect(ahmed.write_form.locator("#post-title")).to_have_value(title)
    expect(ahmed.write_form.locator("[data-kept]")).to_have_count(1)
    expect(ahmed.post(title)).to_have_count(0)
    # Described, it is published at once (a teacher needs no approval).
    ahmed.write_form.locator("[data-kept] input[name^='alt_']").fill(f"Tavlan med uppgifterna {tag}")
    ahmed.submit_post()
    published = ahmed.published.locator("article").filter(has_text=tag)
    expect(published).to_have_count(1)
    expect(published.locator("img")).to_have_attribute("alt", f"Tavlan med uppgifterna {tag}")


# --- 4. Small screens and assistive technology -------------------------------------------------


def test_the_blog_with_its_forms_open_fits_a_phone_and_has_no_accessibility_violations(
    open_as: OpenAs,
) -> None:
    allow_student_posts(open_as)
    problems: list[str] = []
    for username in ("elsa.lindqvist", "ahmed.hassan"):
        blog = open_blog(open_as(username, **PHONE), "4A")
        blog.open_details(blog.page.locator("details#write"))
        if username == "ahmed.hassan":
            blog.open_details(blog.page.locator("details").filter(has=blog.settings_form))
        assert overflowing(blog.page, PHONE["width"]) == [], username
        problems += [f"{username}, phone, forms open: {v}" for v in axe_violations(blog.page)]
    assert problems == []
