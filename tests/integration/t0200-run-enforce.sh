. "$RF_SRC/tests/integration/lib.sh"
skip_all "not written yet"
