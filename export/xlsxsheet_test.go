package export

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/klauspost/compress/flate"
)

// The rows wait for the zip in a temporary file: unlinked, and encrypted,
// so what lies on the disk is neither the text nor its Deflate stream.
func TestRowSheetTemporaryFileIsNotReadable(t *testing.T) {
	frame := []byte(`<worksheet><dimension ref="A1"></dimension><sheetData><row r="1"></row></sheetData></worksheet>`)
	s, err := newRowSheet("Personer", frame, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	const secret = "Nationalitet: Nigeria, mistanke om menneskehandel"
	for range 200 {
		if err := s.add([]any{"2026-0004", secret}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.finish(); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(io.NewSectionReader(s.file, 0, 1<<30))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		t.Fatal("nothing in the temporary file")
	}
	inflated, _ := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if bytes.Contains(raw, []byte("Nigeria")) || bytes.Contains(inflated, []byte("Nigeria")) {
		t.Error("the temporary file can be read without the key")
	}
	if _, err := os.Stat(s.file.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file %s can be found by its name (%v)", s.file.Name(), err)
	}
}
