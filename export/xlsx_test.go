package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"beredskab/export"
	"beredskab/records/recordstest"
	"beredskab/workflows"
)

func visitSeq(vs []workflows.Visit) func(func(workflows.Visit, error) bool) {
	return func(yield func(workflows.Visit, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// readXLSX writes the fixed visits as xlsx and opens the file again.
func readXLSX(t *testing.T) map[string][][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := export.XLSX(&buf, workflows.NewRegistration(), visitSeq(recordstest.Fixed())); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{export.SheetVisits, export.SheetPersons, export.SheetIDs}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	out := map[string][][]string{}
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		out[s] = rows
	}
	return out
}

// column finds a header's column.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, header)
	}
	return i
}

func cellAt(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func TestXLSXReadsBackWithDanishLabels(t *testing.T) {
	sheets := readXLSX(t)
	visits, persons := sheets[export.SheetVisits], sheets[export.SheetPersons]
	if len(visits) != 1+6 || len(persons) != 1+6 {
		t.Fatalf("%d visit rows and %d person rows, want 1+6 and 1+6", len(visits), len(persons))
	}
	wantHead := []string{"Besøgs-id", "Krise-id", "Krise", "Opfølgning", "Udfyldt af (initialer)", "Organisation",
		"Dato for opsøgende indsats", "Metode", "Metode – hvad"}
	if got := visits[0][:len(wantHead)]; !slices.Equal(got, wantHead) {
		t.Errorf("visit header starts %q, want %q", got, wantHead)
	}
	h := visits[0]
	v4 := visits[5] // 2026-0004, the crisis visit
	for _, c := range []struct{ col, want string }{
		{"Besøgs-id", "2026-0004"},
		{"Krise-id", "2026-K01"},
		{"Krise", "COVID-19"},
		{"Opfølgning", "Mistanke om menneskehandel; Henvisning"},
		{"Dato for opsøgende indsats", "2026-03-15"},
		{"Metode", "Fysisk besøg"},
		{"Lokation", "Massageklinik"},
		{"Klinikkens adresse (gade, nr., by)", "'@Vestergade 12, Aarhus"},
		{"Årsag til besøget", "Henvendelse fra politiet"},
		{"Årsag – hvem/hvad", "'+45 70 20 02 33"},
		{"Kontakt", "Kontakt"},
		{"Indsats på stedet (vælg alle, der passer)", "Aflevering af mad; Henvisning / følgeskab"},
		{"Aflevering af mad – antal pakker (0–5)", "3"},
		{"Henvisning / følgeskab til", "Andet"},
		{"Indsats efterfølgende: har du drøftet besøget med nogen", "Politi: =1+1; Anden (AmiAmi)"},
	} {
		if got := cellAt(v4, column(t, h, c.col)); got != c.want {
			t.Errorf("Besøg 2026-0004 %s = %q, want %q", c.col, got, c.want)
		}
	}
	ph := persons[0]
	if got := ph[:3]; !slices.Equal(got, []string{"Besøgs-id", "Person nr.", "Nationalitet"}) {
		t.Errorf("person header starts %q", got)
	}
	p := persons[5] // 2026-0004's first person
	for _, c := range []struct{ col, want string }{
		{"Besøgs-id", "2026-0004"}, {"Person nr.", "1"}, {"Nationalitet", "Nigeria"}, {"Køn", "Trans"},
		{"Alder (år)", "45"}, {"Er alderen skønnet", "Nej"}, {"Er personen mødt før", "Ja"},
		{"Har du mistanke om menneskehandel", "Ja"},
		{"Mistanke om menneskehandel – note", `'=HYPERLINK("http://x","klik")`},
		{"Symptomer på krisens sygdom", "Ja"},
	} {
		if got := cellAt(p, column(t, ph, c.col)); got != c.want {
			t.Errorf("Personer 2026-0004/1 %s = %q, want %q", c.col, got, c.want)
		}
	}
	if got := cellAt(persons[6], column(t, ph, "Nationalitet")); got != "Ukendt" {
		t.Errorf("unknown nationality shown as %q, want Ukendt", got)
	}
	// Every person row names a visit of the visits sheet.
	ids := map[string]bool{}
	for _, r := range visits[1:] {
		ids[r[0]] = true
	}
	for _, r := range persons[1:] {
		if !ids[r[0]] {
			t.Errorf("person row %q names no visit", r)
		}
	}
}

func TestXLSXIDsSheetNamesTheCanonicalIDs(t *testing.T) {
	ids := readXLSX(t)[export.SheetIDs]
	has := func(want ...string) {
		t.Helper()
		for _, r := range ids {
			if slices.Equal(r, want) {
				return
			}
		}
		t.Errorf("ids sheet has no row %q", want)
	}
	has("Ark", "Kolonne", "Felt-id", "Værdi", "Værdi-id")
	has(export.SheetVisits, "Metode", "method", "Fysisk besøg", "physical_visit")
	has(export.SheetVisits, "Dato for opsøgende indsats", "date")
	has(export.SheetVisits, "Opfølgning", "flags", "Person under 18", "minor")
	has(export.SheetPersons, "Nationalitet", "nationality", "Thailand", "TH")
	has(export.SheetPersons, "Nationalitet", "nationality", "Ukendt", "unknown")
	has(export.SheetPersons, "Symptomer på krisens sygdom", "crisis_symptoms", "Mistanke", "suspected")
	has(export.SheetPersons, "Person nr.", "person")
}

// Text that a spreadsheet would run is made inert in both exports; the
// same text inside a value, or a plain number, is left alone.
func TestFormulaInjectionIsNeutralised(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+45 70 20 02 33", "'+45 70 20 02 33"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"Vestergade 12 = gul dør", "Vestergade 12 = gul dør"},
		{"", ""},
	}
	for _, tt := range tests {
		v := recordstest.Fixed()[1]
		v.Fields["remarks"] = workflows.Answer{Text: tt.in}
		var x bytes.Buffer
		if err := export.XLSX(&x, workflows.NewRegistration(), visitSeq([]workflows.Visit{v})); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&x)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(export.SheetVisits)
		if err != nil {
			t.Fatal(err)
		}
		col := column(t, rows[0], "Eventuelle øvrige bemærkninger")
		if got := cellAt(rows[1], col); got != tt.want {
			t.Errorf("xlsx %q → %q, want %q", tt.in, got, tt.want)
		}
		name, _ := excelize.CoordinatesToCellName(col+1, 2)
		if formula, err := f.GetCellFormula(export.SheetVisits, name); err != nil || formula != "" {
			t.Errorf("xlsx %q: cell %s holds the formula %q (%v)", tt.in, name, formula, err)
		}
		f.Close()
		var c bytes.Buffer
		if err := export.CSV(&c, workflows.NewRegistration(), export.TableVisits, visitSeq([]workflows.Visit{v})); err != nil {
			t.Fatal(err)
		}
		if tt.want != "" && !strings.Contains(c.String(), tt.want) {
			t.Errorf("csv %q: no %q in %q", tt.in, tt.want, c.String())
		}
	}
}

// A store that fails part way fails the export, with its error and
// without a workbook.
func TestXLSXStopsOnAReadError(t *testing.T) {
	broken := func(yield func(workflows.Visit, error) bool) {
		for i, v := range recordstest.Fixed() {
			if i == 3 {
				yield(workflows.Visit{}, errors.New("disk gone"))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
	var buf bytes.Buffer
	err := export.XLSX(&buf, workflows.NewRegistration(), broken)
	if err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("err = %v, want the read error", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written after a failure", buf.Len())
	}
}

// The rows of the large sheets are written by the export itself, not by
// excelize's StreamWriter: every text must read back exactly as it would
// had excelize written it (escaping, kept spaces, _xHHHH_ look-alikes,
// characters XML cannot hold, Excel's length limit).
func TestXLSXTextReadsBackAsExcelizeWritesIt(t *testing.T) {
	texts := []string{
		"a & b < c > d \"e\" 'f'", "line 1\nline 2", "tab\tinside", "cr\rinside", " leading space", "trailing space ",
		"\nleading newline", "_x0041_ looks escaped", "_x005F_x0041_ twice", "_x00 short", "ctrl\x01\x1fchars",
		"bad utf-8 \xff\xfe here", "not characters \uFFFE\uFFFF here", "private \uF8FF and \uFFFD", "ünïcødé æøå ÆØÅ",
		strings.Repeat("x", maxChars-1) + " trailing space after the cut", "ambulance 🚑 and 🇩🇰", strings.Repeat("ø", 40000),
		strings.Repeat("🚑", 20000), "plain",
	}
	// What excelize reads back from its own writing of each text.
	ref := excelize.NewFile()
	sw, err := ref.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range texts {
		if err := sw.SetRow("A"+strconv.Itoa(i+1), []any{s}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var refBuf bytes.Buffer
	if err := ref.Write(&refBuf); err != nil {
		t.Fatal(err)
	}
	refBook, err := excelize.OpenReader(&refBuf)
	if err != nil {
		t.Fatal(err)
	}
	want, err := refBook.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	var vs []workflows.Visit
	for _, s := range texts {
		v := recordstest.Fixed()[1]
		v.Fields = maps.Clone(v.Fields)
		v.Fields["remarks"] = workflows.Answer{Text: s}
		vs = append(vs, v)
	}
	var buf bytes.Buffer
	if err := export.XLSX(&buf, workflows.NewRegistration(), visitSeq(vs)); err != nil {
		t.Fatal(err)
	}
	data := bytes.Clone(buf.Bytes())
	book, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows(export.SheetVisits)
	if err != nil {
		t.Fatal(err)
	}
	col := column(t, rows[0], "Eventuelle øvrige bemærkninger")
	for i, s := range texts {
		if got := cellAt(rows[i+1], col); got != want[i][0] {
			t.Errorf("%.40q reads back as %.60q, excelize's own as %.60q", s, got, want[i][0])
		}
	}
	// excelize reads leniently; a strict XML parser (as Excel's) must take
	// every part of the file.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range zr.File {
		if !strings.HasSuffix(e.Name, ".xml") && !strings.HasSuffix(e.Name, ".rels") {
			continue
		}
		r, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(r)
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s is not well-formed XML: %v", e.Name, err)
				break
			}
		}
		r.Close()
	}
}

// maxChars is Excel's limit of a cell's text.
const maxChars = 32767
