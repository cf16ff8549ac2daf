// Package export writes stored visits out for analysis: JSON with one object
// per visit (persons nested), or CSV as two tables linked by visit id.
// Values are canonical ids, never labels; dates are ISO 8601.
package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"beredskab/workflows"
)

// The CSV tables.
const (
	TableVisits  = "visits"
	TablePersons = "persons"
)

// JSON writes a JSON array with one object per visit on its own line: the
// record's id, schema, crisis and follow-up flags, then Skema 1 under its
// canonical ids in form order, then "persons" as an array of Skema 2 blocks.
func JSON(w io.Writer, reg *workflows.Registration, visits iter.Seq2[workflows.Visit, error]) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return fmt.Errorf("write json export: %w", err)
	}
	n := 0
	for v, err := range visits {
		if err != nil {
			return fmt.Errorf("read visits for export: %w", err)
		}
		var b bytes.Buffer
		if n > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		if err := writeVisit(&b, reg, v); err != nil {
			return fmt.Errorf("export visit %s: %w", v.ID, err)
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			return fmt.Errorf("write json export: %w", err)
		}
		n++
	}
	if _, err := io.WriteString(w, "\n]\n"); err != nil {
		return fmt.Errorf("write json export: %w", err)
	}
	return nil
}

// object writes an ordered JSON object: encoding/json sorts map keys, and
// the form's order is what a reader of the export expects.
type object struct {
	b     *bytes.Buffer
	count int
}

func (o *object) put(key string, v any) error {
	if o.count == 0 {
		o.b.WriteString("{")
	} else {
		o.b.WriteString(",")
	}
	o.count++
	k, _ := json.Marshal(key)
	o.b.Write(k)
	o.b.WriteString(":")
	switch x := v.(type) {
	case json.RawMessage:
		o.b.Write(x)
		return nil
	}
	val, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	o.b.Write(val)
	return nil
}

func (o *object) close() {
	if o.count == 0 {
		o.b.WriteString("{")
	}
	o.b.WriteString("}")
}

func writeVisit(b *bytes.Buffer, reg *workflows.Registration, v workflows.Visit) error {
	o := &object{b: b}
	head := []workflows.Field{{ID: "id", Value: v.ID}, {ID: "schema", Value: v.Schema}}
	var crisis any
	if v.Crisis != nil {
		crisis = map[string]string{"id": v.Crisis.ID, "name": v.Crisis.Disease}
	}
	head = append(head, workflows.Field{ID: "crisis", Value: crisis}, workflows.Field{ID: "flags", Value: nonNil(v.Flags)})
	for _, f := range append(head, reg.VisitFields(v)...) {
		if err := o.put(f.ID, f.Value); err != nil {
			return err
		}
	}
	var persons bytes.Buffer
	persons.WriteString("[")
	for i, p := range v.Persons {
		if i > 0 {
			persons.WriteString(",")
		}
		po := &object{b: &persons}
		for _, f := range reg.PersonFields(p) {
			if err := po.put(f.ID, f.Value); err != nil {
				return err
			}
		}
		po.close()
	}
	persons.WriteString("]")
	if err := o.put("persons", json.RawMessage(persons.Bytes())); err != nil {
		return err
	}
	o.close()
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CSV writes one table: "visits" (one row per visit, Skema 1's canonical ids
// as columns) or "persons" (one row per person, led by visit_id and the
// person's number within the visit). Lists are joined with ";";
// discussed_with is written as party:who:reason entries.
func CSV(w io.Writer, reg *workflows.Registration, table string, visits iter.Seq2[workflows.Visit, error]) error {
	cw := csv.NewWriter(w)
	var header []string
	switch table {
	case TableVisits:
		header = append([]string{"id", "crisis_id", "crisis_name", "flags"}, reg.VisitColumns()...)
	case TablePersons:
		header = append([]string{"visit_id", "person"}, reg.PersonColumns()...)
	default:
		return fmt.Errorf("csv export: unknown table %q (want %s or %s)", table, TableVisits, TablePersons)
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv header: %w", err)
	}
	for v, err := range visits {
		if err != nil {
			return fmt.Errorf("read visits for export: %w", err)
		}
		if table == TableVisits {
			var cid, cname string
			if v.Crisis != nil {
				cid, cname = v.Crisis.ID, v.Crisis.Disease
			}
			row := []string{v.ID, cid, cell(cname), strings.Join(v.Flags, ";")}
			for _, f := range reg.VisitFields(v) {
				row = append(row, cell(f.Value))
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("write csv row for visit %s: %w", v.ID, err)
			}
			continue
		}
		for i, p := range v.Persons {
			row := []string{v.ID, strconv.Itoa(i + 1)}
			for _, f := range reg.PersonFields(p) {
				row = append(row, cell(f.Value))
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("write csv row for visit %s: %w", v.ID, err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv export: %w", err)
	}
	return nil
}

// cell renders a value for CSV. Text that a spreadsheet would run as a
// formula (starting with = + - @, tab or CR) is prefixed with an apostrophe.
func cell(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s = x
	case int:
		return strconv.Itoa(x)
	case []string:
		s = strings.Join(x, ";")
	case []workflows.Discussion:
		parts := make([]string, len(x))
		for i, d := range x {
			parts[i] = d.Party + ":" + d.Who + ":" + d.Reason
		}
		s = strings.Join(parts, ";")
	default:
		s = fmt.Sprint(x)
	}
	return neutralise(s)
}
