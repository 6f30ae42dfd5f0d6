"""The leak scan's notion of a token: a canary number in text is a leak; the same digits as the
decimals of a vector figure's coordinate, or as a PDF object number, are structure."""
import zlib

from socta.book.leaks import _pattern, pdf_streams


def test_a_number_counts_in_text_not_inside_another_number():
    size = _pattern("7777")
    for leak in ("The group has 7777 members.", "size: 7777.", "(7777)", "7777"):
        assert size.search(leak), leak
    for chance in ("203.7777 l", "7777.25", "x7777", "17777", "77771"):
        assert not size.search(chance), chance


def test_object_numbers_and_object_stream_indexes_are_not_content():
    index = b"7776 0 7777 15 "  # object numbers and offsets, then the objects
    objects = b"<< /Parent 7777 0 R /Note (group of 7777) >>"
    body = zlib.compress(index + objects)
    pdf = (b"%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /N 2 /First " + str(len(index)).encode() + b" /Filter /FlateDecode"
           b" /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream\nendobj\n7777 0 obj\n<< >>\n")
    text = pdf_streams(pdf)
    found = _pattern("7777").findall(text)
    assert len(found) == 1 and "group of 7777" in text  # the note, not the index, the reference or the header


def test_build_logs_are_not_scanned_but_their_sources_are(tmp_path):
    """A LaTeX log's own numbers (a badness of 7777) are not a leak; the same number in the .tex is."""
    from socta.book.leaks import find_leaks

    (tmp_path / "assessment.log").write_text("Underfull \\hbox (badness 7777) in paragraph\n", encoding="utf-8")
    assert find_leaks(tmp_path, ["7777"]) == []
    (tmp_path / "assessment.tex").write_text("The group has 7777 members.\n", encoding="utf-8")
    assert [leak.path.name for leak in find_leaks(tmp_path, ["7777"])] == ["assessment.tex"]
