"""Images of news items and stories: validated by content and size, re-encoded, alt text required."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grappe.showcase.models import Post

NEW = "/staff/showcase/posts/new/"


def _image(fmt: str = "PNG", size=(40, 30), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _data(**overrides):
    data = {"kind": "news", "status": "published", "title_fr": "Salon Batibouw", "body_fr": "Texte."}
    data.update(overrides)
    return data


def test_image_is_reencoded_and_shown_with_its_alt_text(staff_client, client):
    jpeg_with_trailer = _image("JPEG") + b"<script>alert(1)</script>"
    upload = SimpleUploadedFile("photo.jpeg", jpeg_with_trailer, content_type="image/jpeg")
    response = staff_client.post(NEW, _data(image=upload, image_alt="Le stand du cluster à Batibouw"))
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.image.name.startswith("showcase/posts/") and post.image.name.endswith(".jpg")
    stored = post.image.read()
    assert b"<script>" not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    html = client.get(f"/fr/news/{post.slug}/").content.decode()
    assert f'src="{post.image.url}"' in html and 'alt="Le stand du cluster à Batibouw"' in html
    assert f'<meta property="og:image" content="http://testserver{post.image.url}">' in html
    assert f'"image": "http://testserver{post.image.url}"' in html


def test_transparent_image_stays_png_and_big_one_is_scaled_down(staff_client):
    upload = SimpleUploadedFile("logo.webp", _image("WEBP", size=(3200, 800), mode="RGBA"), content_type="image/webp")
    assert staff_client.post(NEW, _data(image=upload, image_alt="Logo")).status_code == 302
    image = Image.open(Post.objects.get().image)
    assert image.format == "PNG" and image.size == (1600, 400) and image.mode == "RGBA"


def test_alt_text_is_required_with_an_image(staff_client):
    upload = SimpleUploadedFile("photo.png", _image(), content_type="image/png")
    response = staff_client.post(NEW, _data(image=upload, image_alt="  "))
    assert response.status_code == 200
    assert "texte alternatif" in response.content.decode()
    assert not Post.objects.exists()
    assert staff_client.post(NEW, _data()).status_code == 302  # no image: no alt text needed


def test_not_an_image_gives_a_clear_message(staff_client):
    for name, content in [
        ("photo.png", b"MZ\x90\x00 this is an executable"),
        ("page.jpg", b"<html><script>alert(1)</script></html>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("doc.pdf", b"%PDF-1.4 not an image"),
    ]:
        upload = SimpleUploadedFile(name, content, content_type="image/png")
        response = staff_client.post(NEW, _data(image=upload, image_alt="x"))
        assert response.status_code == 200, name
        assert "pas une image lisible" in response.content.decode(), name
    bmp = SimpleUploadedFile("old.bmp", _image("BMP"), content_type="image/bmp")
    response = staff_client.post(NEW, _data(image=bmp, image_alt="x"))
    assert "Formats d&#x27;image acceptés" in response.content.decode()
    assert not Post.objects.exists()


def test_a_50_mb_upload_is_refused_as_too_big(staff_client):
    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"\x00" * (50 * 1024 * 1024), content_type="image/jpeg")
    response = staff_client.post(NEW, _data(image=big, image_alt="Très grande photo"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "L&#x27;image pèse 50,0" in html or "L&#x27;image pèse 50.0" in html
    assert "8,0" in html or "8.0" in html
    assert not Post.objects.exists()
