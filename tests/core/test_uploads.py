"""The shared upload check: type by extension and content, size, emptiness, executables."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from grappe.core.uploads import DocumentValidator, validate_document


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"%PDF-1.7\n..."),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("plan.docx", b"PK\x03\x04" + b"\x00" * 20),
        ("members.csv", b"nom;ville\nSolvay;Bruxelles\n"),
        ("notes.txt", "Réunion du comité".encode()),
    ],
)
def test_accepts_documents_whose_content_matches_their_type(name: str, content: bytes) -> None:
    upload = _file(name, content)
    validate_document(upload)
    assert upload.read() == content  # the file is rewound for the storage


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("tool.exe", b"MZ\x90\x00", "upload_type"),
        ("page.html", b"<html></html>", "upload_type"),
        ("fake.pdf", b"MZ\x90\x00\x03", "upload_content"),
        ("fake.docx", b"\x7fELF\x02\x01", "upload_content"),
        ("fake.pdf", b"GIF89a", "upload_content"),
        ("script.txt", b"#!/bin/sh\nrm -rf /", "upload_content"),
        ("page.txt", b"  <HTML><script>alert(1)</script>", "upload_content"),
        ("binary.csv", b"a,b\x00\x01", "upload_content"),
        ("empty.pdf", b"", "upload_empty"),
        ("noextension", b"%PDF", "upload_type"),
    ],
)
def test_refuses_wrong_or_dangerous_files_with_a_reason(name: str, content: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_document(_file(name, content))
    assert error.value.code == code
    assert str(error.value.messages[0])


def test_size_limit_and_allowed_subset() -> None:
    with pytest.raises(ValidationError) as error:
        validate_document(_file("big.pdf", b"%PDF" + b"0" * 2048), max_bytes=1024 * 1024 // 1024)
    assert error.value.code == "upload_size"
    with pytest.raises(ValidationError) as error:
        validate_document(_file("plan.docx", b"PK\x03\x04"), allowed=(".pdf",))
    assert error.value.code == "upload_type"
    assert ".pdf" in error.value.messages[0]


def test_validator_form_is_comparable_for_migrations() -> None:
    assert DocumentValidator((".pdf",)) == DocumentValidator((".pdf",))
    assert DocumentValidator((".pdf",)) != DocumentValidator()
    with pytest.raises(ValidationError):
        DocumentValidator((".pdf",))(_file("x.txt", b"hello"))


def test_executables_are_named_as_such_whatever_their_extension() -> None:
    for content in (b"MZ\x90\x00", b"\x7fELF\x02\x01", b"#!/usr/bin/env python"):
        with pytest.raises(ValidationError) as error:
            validate_document(_file("innocent.pdf", content))
        assert "exécutable" in str(error.value.messages[0])
