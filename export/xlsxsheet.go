package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// rowSheet writes the rows of one large sheet (Besøg, Personer) as the
// sheet's XML straight into a Deflate stream in an unlinked temporary file,
// encrypted (AES-CTR under a key that lives in memory only, so nothing of
// the records lies on the disk readable, even after a crash): the
// workbook around it (styles, panes, column widths, the header row, the
// Koder sheet) is excelize's, and its own XML for the sheet is the frame the
// rows go into. Written by one goroutine each, the two sheets are built and
// compressed side by side, and the zip takes them as they are. excelize's
// StreamWriter does the same work per cell with several allocations each
// (about half of an export's time): here a cell is a few appends to a
// reused buffer, with the same XML.
type rowSheet struct {
	name      string
	dateStyle int
	// suffix closes the sheet after the last row.
	suffix string

	file    *os.File
	key, iv []byte // of the temporary file's encryption
	deflate *flate.Writer
	crc     hash.Hash32
	size    int64 // uncompressed bytes written
	w       *bufio.Writer

	row  int
	cols []string // column letters: A, B, …
	line []byte   // the row being built
}

// newRowSheet starts the sheet with frame's XML up to its header row.
func newRowSheet(name string, frame []byte, columns, dateStyle int) (*rowSheet, error) {
	prefix, suffix, ok := bytes.Cut(frame, []byte("</sheetData>"))
	if !ok {
		return nil, fmt.Errorf("xlsx sheet %s: excelize's sheet has no sheetData", name)
	}
	// The dimension is the frame's (the header row alone): left out, as
	// the format allows, rather than wrong.
	prefix = dimension.ReplaceAll(prefix, nil)
	s := &rowSheet{name: name, dateStyle: dateStyle, suffix: "</sheetData>" + string(suffix),
		crc: crc32.NewIEEE(), row: 1, cols: make([]string, columns), key: make([]byte, 32), iv: make([]byte, aes.BlockSize)}
	_, _ = rand.Read(s.key)
	_, _ = rand.Read(s.iv)
	f, err := os.CreateTemp("", "beredskab-xlsx-*")
	if err != nil {
		return nil, fmt.Errorf("xlsx sheet %s: %w", name, err)
	}
	_ = os.Remove(f.Name()) // unlinked: gone with the file, whatever happens
	s.file = f
	enc, err := s.stream()
	if err != nil {
		s.close()
		return nil, err
	}
	fw, err := flate.NewWriter(cipher.StreamWriter{S: enc, W: f}, flate.BestSpeed)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("xlsx sheet %s: %w", name, err)
	}
	s.deflate = fw
	s.w = bufio.NewWriterSize(s, 256<<10)
	for i := range s.cols {
		s.cols[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	if _, err := s.w.Write(prefix); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// stream is the temporary file's cipher from its start.
func (s *rowSheet) stream() (cipher.Stream, error) {
	block, err := aes.NewCipher(s.key)
	if err != nil {
		return nil, fmt.Errorf("xlsx sheet %s: %w", s.name, err)
	}
	return cipher.NewCTR(block, s.iv), nil
}

var dimension = regexp.MustCompile(`<dimension[^>]*/>|<dimension[^>]*>\s*</dimension>`)

// Write takes the sheet's XML: counted, checksummed and deflated.
func (s *rowSheet) Write(p []byte) (int, error) {
	s.size += int64(len(p))
	s.crc.Write(p)
	if _, err := s.deflate.Write(p); err != nil {
		return 0, fmt.Errorf("xlsx sheet %s: %w", s.name, err)
	}
	return len(p), nil
}

// add writes one row; cells as the cellMaker makes them: nil (empty), int,
// string, or an excelize.Cell holding a date (time.Time) with its style.
func (s *rowSheet) add(cells []any) error {
	s.row++
	if len(cells) > len(s.cols) {
		return fmt.Errorf("row %d has %d cells for %d columns", s.row, len(cells), len(s.cols))
	}
	r := strconv.Itoa(s.row)
	b := append(s.line[:0], `<row r="`...)
	b = append(b, r...)
	b = append(b, `">`...)
	for i, v := range cells {
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			style, v = c.StyleID, c.Value
		}
		if v == nil {
			continue
		}
		b = append(b, `<c r="`...)
		b = append(b, s.cols[i]...)
		b = append(b, r...)
		b = append(b, '"')
		if style != 0 {
			b = append(b, ` s="`...)
			b = strconv.AppendInt(b, int64(style), 10)
			b = append(b, '"')
		}
		switch v := v.(type) {
		case int:
			b = append(b, `><v>`...)
			b = strconv.AppendInt(b, int64(v), 10)
			b = append(b, `</v></c>`...)
		case time.Time:
			b = append(b, `><v>`...)
			b = strconv.AppendInt(b, excelDay(v), 10)
			b = append(b, `</v></c>`...)
		case string:
			b = appendInlineString(b, v)
		default:
			return fmt.Errorf("row %d column %s: a %T cannot be written", s.row, s.cols[i], v)
		}
	}
	b = append(b, `</row>`...)
	s.line = b
	_, err := s.w.Write(b)
	return err
}

// excelDay is a date as Excel's serial day number (days since 30 December
// 1899, the date the 1900 leap-year bug makes day 0).
func excelDay(t time.Time) int64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return int64(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// maxCellChars is Excel's limit of a cell's text, in UTF-16 units.
const maxCellChars = 32767

// appendInlineString appends the rest of a text cell, as excelize writes
// one: ` t="inlineStr"><is><t>…</t></is></c>`, the text XML-escaped,
// sequences that look like Excel's _xHHHH_ escapes escaped themselves, space
// kept when the text starts or ends with it, and cut to Excel's limit.
func appendInlineString(b []byte, s string) []byte {
	b = append(b, ` t="inlineStr"><is><t`...)
	if len(s) > maxCellChars && utf16Len(s) > maxCellChars {
		s = cutUTF16(s, maxCellChars) // before the space is judged, as excelize does
	}
	if s != "" && (strings.ContainsRune("\t\n\r ", rune(s[0])) || strings.ContainsRune("\t\n\r ", rune(s[len(s)-1]))) {
		b = append(b, ` xml:space="preserve"`...)
	}
	b = append(b, '>')
	if plain(s) {
		b = append(b, s...)
	} else {
		b = append(b, escapeCellText(s)...)
	}
	return append(b, `</t></is></c>`...)
}

// plain reports whether s can be written as it is: valid UTF-8, short
// enough, and none of & < > or control characters, U+FFFE, U+FFFF or "_x".
func plain(s string) bool {
	if len(s) > maxCellChars {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		// 0xEF leads U+F000–U+FFFF, among them U+FFFE and U+FFFF, which
		// XML cannot hold: the slow path replaces them as excelize does.
		if c < 0x20 || c == '&' || c == '<' || c == '>' || c == 0xEF || (c == '_' && i+1 < len(s) && s[i+1] == 'x') {
			return false
		}
	}
	return utf8.ValidString(s)
}

// bstrExp and bstrEscapeExp are excelize's patterns of Excel's _xHHHH_
// escapes.
var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// bstrMarshal escapes the text's look-alikes of Excel's _xHHHH_ escapes as
// excelize's unexported function of the same name does (ported from
// excelize v2.11.1, BSD-3-Clause), so that a reader does not decode them.
func bstrMarshal(s string) (result string) {
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			if match[1]+6 <= l && bstrEscapeExp.MatchString(s[match[1]:match[1]+6]) {
				if _, err := strconv.Unquote(`"\u` + s[match[1]+1:match[1]+5] + `"`); err == nil {
					result += subStr + "x005F" + subStr
					continue
				}
			}
			result += subStr + "x005F_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			if _, err := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`); err == nil {
				result += "_x005F" + subStr
				continue
			}
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

// escapeCellText is text that is not plain, as excelize would write it.
func escapeCellText(s string) string {
	if n := utf16Len(s); n > maxCellChars {
		s = cutUTF16(s, maxCellChars)
	}
	var buf strings.Builder
	_ = xml.EscapeText(&buf, []byte(s))
	return bstrMarshal(strings.ReplaceAll(buf.String(), "&#xA;", "\n"))
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func cutUTF16(s string, max int) string {
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}

// finish closes the sheet's XML and its Deflate stream.
func (s *rowSheet) finish() error {
	if _, err := s.w.WriteString(s.suffix); err != nil {
		return err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	if err := s.deflate.Close(); err != nil {
		return fmt.Errorf("xlsx sheet %s: %w", s.name, err)
	}
	return nil
}

// copyTo adds the finished sheet to zw under name, compressed as it is.
func (s *rowSheet) copyTo(zw *zip.Writer, name string) error {
	csize, err := s.file.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("xlsx sheet %s: %w", s.name, err)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("xlsx sheet %s: %w", s.name, err)
	}
	dec, err := s.stream()
	if err != nil {
		return err
	}
	out, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: s.crc.Sum32(),
		CompressedSize64: uint64(csize), UncompressedSize64: uint64(s.size)})
	if err != nil {
		return fmt.Errorf("xlsx sheet %s: %w", s.name, err)
	}
	if _, err := io.Copy(out, cipher.StreamReader{S: dec, R: s.file}); err != nil {
		return fmt.Errorf("xlsx sheet %s: copy into the workbook: %w", s.name, err)
	}
	return nil
}

// close drops the temporary file.
func (s *rowSheet) close() {
	if s != nil && s.file != nil {
		_ = s.file.Close()
		s.file = nil
	}
}
