import json
import logging

from grappe.core.logformat import JsonFormatter


def test_one_json_object_per_record_with_extras_and_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("grappe.x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info())
    record.status_code = 500
    record.request = object()
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "failed here" and entry["level"] == "ERROR" and entry["logger"] == "grappe.x"
    assert entry["status_code"] == 500 and isinstance(entry["request"], str)
    assert "ValueError: boom" in entry["exception"] and "\n" not in line
