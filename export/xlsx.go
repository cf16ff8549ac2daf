package export

import (
	"archive/zip"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"beredskab/workflows"
)

// The sheets of the Excel export.
const (
	SheetVisits  = "Besøg"
	SheetPersons = "Personer"
	SheetIDs     = "Koder"
)

// flagLabels name the follow-up flags of a visit in Danish.
var flagLabels = map[string]string{
	"minor":                 "Person under 18",
	"trafficking_suspected": "Mistanke om menneskehandel",
	"follow_up_reason":      "Opfølgningsbesøg",
	"referral":              "Henvisning",
}

// XLSX writes the visits as an Excel workbook for the coordinators: sheet
// Besøg with one row per visit (Skema 1), sheet Personer with one row per
// person met (Skema 2) led by the visit's id, both with Danish labels in the
// header row and as values, and sheet Koder with the canonical ids behind
// every header and value (the ids of the JSON and CSV exports). Dates are
// Excel dates, numbers numbers; text that a spreadsheet would run as a
// formula is neutralised as in the CSV export. The workbook is excelize's;
// the rows of the two large sheets are streamed into it as compressed XML
// (rowSheet), so memory does not grow with the number of visits.
func XLSX(w io.Writer, reg *workflows.Registration, visits iter.Seq2[workflows.Visit, error]) error {
	x := &xlsxExport{reg: reg, countries: map[string]bool{}}
	// The frame: the workbook with the header rows alone, whose sheet XML
	// the rows are written into.
	frame, err := x.workbook(nil)
	if err != nil {
		return err
	}
	sheets := make([]*rowSheet, 2)
	defer func() {
		for _, s := range sheets {
			s.close()
		}
	}()
	for i, spec := range []struct {
		name    string
		columns int
	}{{SheetVisits, len(x.visitHeader())}, {SheetPersons, len(x.personHeader())}} {
		xml, err := zipEntry(frame.zip, sheetPath(i))
		if err != nil {
			return err
		}
		if sheets[i], err = newRowSheet(spec.name, xml, spec.columns, frame.dateStyle); err != nil {
			return err
		}
	}
	x.dateStyle = frame.dateStyle
	if err := writeRows(visits, x, sheets[0], sheets[1]); err != nil {
		return err
	}
	for _, s := range sheets {
		if err := s.finish(); err != nil {
			return err
		}
	}
	// The workbook again, now with the ids sheet, which names the countries
	// met; its two large sheets are replaced by the rows.
	book, err := x.workbook(x.idRows())
	if err != nil {
		return err
	}
	if book.dateStyle != frame.dateStyle {
		return fmt.Errorf("xlsx export: the date style moved from %d to %d", frame.dateStyle, book.dateStyle)
	}
	zr, err := zip.NewReader(bytes.NewReader(book.zip), int64(len(book.zip)))
	if err != nil {
		return fmt.Errorf("xlsx export: read the workbook: %w", err)
	}
	zw := zip.NewWriter(w)
	for _, e := range zr.File {
		switch e.Name {
		case sheetPath(0):
			err = sheets[0].copyTo(zw, e.Name)
		case sheetPath(1):
			err = sheets[1].copyTo(zw, e.Name)
		default:
			err = zw.Copy(e)
		}
		if err != nil {
			return fmt.Errorf("write xlsx export: %s: %w", e.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write xlsx export: %w", err)
	}
	return nil
}

// sheetPath is where excelize keeps the i-th sheet (from 0) in the zip.
func sheetPath(i int) string { return "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml" }

// zipEntry is one file of a zip held in memory.
func zipEntry(data []byte, name string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("xlsx export: read the frame: %w", err)
	}
	for _, e := range zr.File {
		if e.Name == name {
			r, err := e.Open()
			if err != nil {
				return nil, fmt.Errorf("xlsx export: %s: %w", name, err)
			}
			defer r.Close()
			return io.ReadAll(r)
		}
	}
	return nil, fmt.Errorf("xlsx export: excelize wrote no %s", name)
}

// builtBook is a small workbook written by excelize, and the style id of
// its dates.
type builtBook struct {
	zip       []byte
	dateStyle int
}

// workbook is the workbook with the header rows of the two large sheets
// and the ids sheet's rows, written by excelize (Deflate at its fastest,
// with klauspost/compress).
func (x *xlsxExport) workbook(idRows [][]any) (builtBook, error) {
	f := excelize.NewFile()
	defer f.Close()
	var buf bytes.Buffer
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(&buf)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	if err := f.SetSheetName("Sheet1", SheetVisits); err != nil {
		return builtBook{}, fmt.Errorf("xlsx export: %w", err)
	}
	for _, s := range []string{SheetPersons, SheetIDs} {
		if _, err := f.NewSheet(s); err != nil {
			return builtBook{}, fmt.Errorf("xlsx export: add sheet %s: %w", s, err)
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return builtBook{}, fmt.Errorf("xlsx export: %w", err)
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return builtBook{}, fmt.Errorf("xlsx export: %w", err)
	}
	var sheets []*sheet
	for _, h := range []struct {
		name   string
		header []string
		rows   [][]any
	}{{SheetVisits, x.visitHeader(), nil}, {SheetPersons, x.personHeader(), nil}, {SheetIDs, idsHeader, idRows}} {
		s, err := newSheet(f, h.name, bold, h.header)
		if err != nil {
			return builtBook{}, err
		}
		for _, row := range h.rows {
			if err := s.add(row); err != nil {
				return builtBook{}, fmt.Errorf("xlsx sheet %s: %w", h.name, err)
			}
		}
		sheets = append(sheets, s)
	}
	for _, s := range sheets {
		if err := s.sw.Flush(); err != nil {
			return builtBook{}, fmt.Errorf("xlsx export: finish sheet %s: %w", s.sw.Sheet, err)
		}
	}
	var own countingWriter
	if err := f.Write(&own); err != nil {
		return builtBook{}, fmt.Errorf("write xlsx export: %w", err)
	}
	if own.n != 0 {
		return builtBook{}, fmt.Errorf("write xlsx export: excelize wrote %d bytes past the zip writer", own.n)
	}
	return builtBook{zip: buf.Bytes(), dateStyle: dateStyle}, nil
}

// countingWriter counts what is written to it and keeps none.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// writeRows reads the visits here and hands each to two goroutines, one
// building, writing and compressing the rows of the visits sheet, the
// other those of the persons sheet: each rowSheet is used by one goroutine
// only, and each goroutine notes the countries it met in a set of its own.
// On two cores this shares the building and writing of the cells with the
// reading and decoding of the visits. The channels are short, so
// memory stays at a few hundred visits however many are exported.
func writeRows(visits iter.Seq2[workflows.Visit, error], x *xlsxExport, vs, ps *rowSheet) error {
	const queue = 256
	var (
		wg     sync.WaitGroup
		failed atomic.Bool
		werrs  [2]error
		chans  = [2]chan workflows.Visit{make(chan workflows.Visit, queue), make(chan workflows.Visit, queue)}
		cells  = [2]*cellMaker{x.cellMaker(), x.cellMaker()}
	)
	for i, job := range []struct {
		s    *rowSheet
		rows func(c *cellMaker, v workflows.Visit, add func([]any) error) error
	}{
		{vs, func(c *cellMaker, v workflows.Visit, add func([]any) error) error { return add(c.visitRow(v)) }},
		{ps, func(c *cellMaker, v workflows.Visit, add func([]any) error) error {
			for n, p := range v.Persons {
				if err := add(c.personRow(v.ID, n, p)); err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		wg.Go(func() {
			// A broken record fails the export, not the bot: this
			// goroutine is outside the bot's recover.
			defer func() {
				if p := recover(); p != nil {
					werrs[i] = fmt.Errorf("xlsx sheet %s row %d: %v", job.s.name, job.s.row, p)
					failed.Store(true)
					for range chans[i] { // drain, so the reader never blocks
					}
				}
			}()
			for v := range chans[i] {
				if werrs[i] != nil {
					continue // drain, so the reader never blocks
				}
				if err := job.rows(cells[i], v, job.s.add); err != nil {
					werrs[i] = fmt.Errorf("xlsx sheet %s row %d: %w", job.s.name, job.s.row, err)
					failed.Store(true)
				}
			}
		})
	}
	var rerr error
	for v, err := range visits {
		if err != nil {
			rerr = fmt.Errorf("read visits for export: %w", err)
			break
		}
		if failed.Load() {
			break
		}
		chans[0] <- v
		chans[1] <- v
	}
	close(chans[0])
	close(chans[1])
	wg.Wait()
	for _, c := range cells {
		for code := range c.countries {
			x.countries[code] = true
		}
	}
	return errors.Join(rerr, werrs[0], werrs[1])
}

// sheet is one streamed sheet and its next row.
type sheet struct {
	sw  *excelize.StreamWriter
	row int
}

func newSheet(f *excelize.File, name string, bold int, header []string) (*sheet, error) {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("xlsx export: sheet %s: %w", name, err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("xlsx export: sheet %s: %w", name, err)
	}
	if err := sw.SetColWidth(1, len(header), 18); err != nil {
		return nil, fmt.Errorf("xlsx export: sheet %s: %w", name, err)
	}
	s := &sheet{sw: sw}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	return s, s.add(row)
}

func (s *sheet) add(row []any) error {
	s.row++
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, row)
}

type xlsxExport struct {
	reg       *workflows.Registration
	dateStyle int
	// countries are the nationalities met, for the ids sheet.
	countries map[string]bool
}

// headLabel is a question's Danish label as a column header.
func headLabel(q *workflows.Question) string {
	return strings.TrimSuffix(strings.ReplaceAll(q.Label.Da, "{sygdom}", "krisens sygdom"), "?")
}

// visitHead are the columns before Skema 1's: id, crisis, follow-up flags.
var visitHead = []struct{ id, label string }{
	{"id", "Besøgs-id"}, {"crisis_id", "Krise-id"}, {"crisis_name", "Krise"}, {"flags", "Opfølgning"},
}

var personHead = []struct{ id, label string }{{"visit_id", "Besøgs-id"}, {"person", "Person nr."}}

func (x *xlsxExport) visitHeader() []string {
	var h []string
	for _, c := range visitHead {
		h = append(h, c.label)
	}
	for _, id := range x.reg.VisitColumns() {
		q, _ := x.reg.Visit.Question(id)
		h = append(h, headLabel(q))
	}
	return h
}

func (x *xlsxExport) personHeader() []string {
	var h []string
	for _, c := range personHead {
		h = append(h, c.label)
	}
	for _, id := range x.reg.PersonColumns() {
		q, _ := x.reg.Person.Question(id)
		h = append(h, headLabel(q))
	}
	return h
}

// cellMaker builds the rows of one sheet, in one goroutine: it notes the
// countries met and keeps the Danish names of those it has looked up.
type cellMaker struct {
	x         *xlsxExport
	countries map[string]bool
	names     map[string]string
	visitQs   []*workflows.Question
	personQs  []*workflows.Question
}

func (x *xlsxExport) cellMaker() *cellMaker {
	c := &cellMaker{x: x, countries: map[string]bool{}, names: map[string]string{}}
	for _, id := range x.reg.VisitColumns() {
		q, _ := x.reg.Visit.Question(id)
		c.visitQs = append(c.visitQs, q)
	}
	for _, id := range x.reg.PersonColumns() {
		q, _ := x.reg.Person.Question(id)
		c.personQs = append(c.personQs, q)
	}
	return c
}

// question is the question of a field, from the columns in the order
// VisitFields and PersonFields give them.
func question(qs []*workflows.Question, i int, f *workflows.Form, id string) *workflows.Question {
	if i < len(qs) && qs[i].ID == id {
		return qs[i]
	}
	q, _ := f.Question(id)
	return q
}

func (c *cellMaker) visitRow(v workflows.Visit) []any {
	var cid, cname any
	if v.Crisis != nil {
		cid, cname = v.Crisis.ID, neutralise(v.Crisis.Disease)
	}
	flags := make([]string, len(v.Flags))
	for i, fl := range v.Flags {
		flags[i] = cmp.Or(flagLabels[fl], fl)
	}
	fields := c.x.reg.VisitFields(v)
	row := make([]any, 0, len(visitHead)+len(fields))
	row = append(row, v.ID, cid, cname, nilIfEmpty(strings.Join(flags, "; ")))
	for i, fd := range fields {
		row = append(row, c.value(question(c.visitQs, i, c.x.reg.Visit, fd.ID), fd.Value))
	}
	return row
}

func (c *cellMaker) personRow(visit string, i int, p workflows.Answers) []any {
	fields := c.x.reg.PersonFields(p)
	row := make([]any, 0, len(personHead)+len(fields))
	row = append(row, visit, i+1)
	for j, fd := range fields {
		row = append(row, c.value(question(c.personQs, j, c.x.reg.Person, fd.ID), fd.Value))
	}
	return row
}

// value is a field's cell: a choice's Danish label, a country's Danish name,
// a date, a number, or text made safe.
func (c *cellMaker) value(q *workflows.Question, v any) any {
	switch val := v.(type) {
	case nil:
		return nil
	case int:
		return val
	case []string:
		out := make([]string, len(val))
		for i, id := range val {
			out[i] = choiceLabel(q, id)
		}
		return neutralise(strings.Join(out, "; "))
	case []workflows.Discussion:
		parts := make([]string, len(val))
		for i, d := range val {
			s := choiceLabel(q, d.Party)
			if d.Who != "" {
				s += " (" + d.Who + ")"
			}
			if d.Reason != "" {
				s += ": " + d.Reason
			}
			parts[i] = s
		}
		return neutralise(strings.Join(parts, "; "))
	case string:
		switch q.Kind {
		case workflows.Date:
			if t, err := time.Parse("2006-01-02", val); err == nil {
				return excelize.Cell{StyleID: c.x.dateStyle, Value: t}
			}
		case workflows.Country:
			name, ok := c.names[val]
			if !ok {
				c.countries[val] = true
				name = workflows.CountryName(val, workflows.Danish)
				c.names[val] = name
			}
			return name
		case workflows.SingleChoice, workflows.YesNo:
			return choiceLabel(q, val)
		}
		return neutralise(val)
	}
	return neutralise(fmt.Sprint(v))
}

func choiceLabel(q *workflows.Question, id string) string {
	for _, c := range q.Choices {
		if c.ID == id {
			return c.Label.Da
		}
	}
	return neutralise(id)
}

var idsHeader = []string{"Ark", "Kolonne", "Felt-id", "Værdi", "Værdi-id"}

// idRows list every column of both sheets with its canonical id, and under
// it every value a cell can hold with the id behind it.
func (x *xlsxExport) idRows() [][]any {
	var rows [][]any
	for _, c := range visitHead {
		rows = append(rows, []any{SheetVisits, c.label, c.id})
		if c.id == "flags" {
			for _, fl := range slices.Sorted(maps.Keys(flagLabels)) {
				rows = append(rows, []any{SheetVisits, c.label, c.id, flagLabels[fl], fl})
			}
		}
	}
	form := func(sheet string, f *workflows.Form, cols []string) {
		for _, id := range cols {
			q, _ := f.Question(id)
			rows = append(rows, []any{sheet, headLabel(q), id})
			for _, c := range q.Choices {
				rows = append(rows, []any{sheet, headLabel(q), id, c.Label.Da, c.ID})
			}
			if q.Kind == workflows.Country {
				for _, code := range slices.Sorted(maps.Keys(x.countries)) {
					rows = append(rows, []any{sheet, headLabel(q), id, workflows.CountryName(code, workflows.Danish), code})
				}
			}
		}
	}
	form(SheetVisits, x.reg.Visit, x.reg.VisitColumns())
	for _, c := range personHead {
		rows = append(rows, []any{SheetPersons, c.label, c.id})
	}
	form(SheetPersons, x.reg.Person, x.reg.PersonColumns())
	return rows
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// neutralise makes text that a spreadsheet would run as a formula (starting
// with = + - @, tab or CR) inert by prefixing an apostrophe, as the CSV
// export does.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
