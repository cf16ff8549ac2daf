package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"beredskab/workflows"
)

// decodeVisit decodes a stored visit as encoding/json would, without
// reflection: exports and retention read every visit, and reflection was
// four fifths of an export's time. The fast path takes the JSON that
// json.Marshal writes for a workflows.Visit; anything else (an unknown or
// repeated field, a null, a number that is not a plain integer, malformed
// input) is handed to encoding/json, so the result is always what
// json.Unmarshal gives (TestDecodeVisitAgreesWithEncodingJSON and
// FuzzDecodeVisit check this).
func decodeVisit(val []byte, v *workflows.Visit) error {
	var d visitDecoder
	return d.decode(val, v)
}

// newScanDecoder decodes the visits of a scan, sharing their short strings.
func newScanDecoder() *visitDecoder {
	return &visitDecoder{strings: make(map[string]string, 256)}
}

// decode is decodeVisit with the strings of the visits d decoded before:
// field ids and choice ids repeat in every visit, and a scan of many
// visits shares them rather than allocating each again.
func (d *visitDecoder) decode(val []byte, v *workflows.Visit) error {
	d.buf, d.pos = val, 0
	if err := d.visit(v); err == nil {
		return nil
	}
	*v = workflows.Visit{}
	return decode(val, v)
}

// errSlowPath says the fast decoder leaves a record to encoding/json.
var errSlowPath = errors.New("not on the fast path")

type visitDecoder struct {
	buf []byte
	pos int
	// strings holds the short strings met so far, up to maxStrings; nil
	// shares none (one visit is decoded).
	strings map[string]string
}

// Strings up to maxStringLen bytes are shared, at most maxStrings of them:
// ids and choices, not the free text.
const (
	maxStringLen = 32
	maxStrings   = 4096
)

// text is the string of b, shared when it is short.
func (d *visitDecoder) text(b []byte) string {
	if d.strings == nil || len(b) > maxStringLen {
		return string(b)
	}
	if s, ok := d.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.strings) < maxStrings {
		d.strings[s] = s
	}
	return s
}

func (d *visitDecoder) ws() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// next skips white space and reports the next byte (0 at the end).
func (d *visitDecoder) next() byte {
	d.ws()
	if d.pos < len(d.buf) {
		return d.buf[d.pos]
	}
	return 0
}

func (d *visitDecoder) expect(c byte) error {
	if d.next() != c {
		return errSlowPath
	}
	d.pos++
	return nil
}

// rawString returns a string token with its quotes, and whether it can be
// taken as it is between them (no escapes, no control characters, valid
// UTF-8).
func (d *visitDecoder) rawString() ([]byte, bool, error) {
	if d.next() != '"' {
		return nil, false, errSlowPath
	}
	start := d.pos
	end := bytes.IndexByte(d.buf[start+1:], '"')
	if end < 0 {
		return nil, false, errSlowPath
	}
	end += start + 1
	if bytes.IndexByte(d.buf[start+1:end], '\\') >= 0 {
		return d.escapedString(start)
	}
	d.pos = end + 1
	tok := d.buf[start:d.pos]
	for _, c := range tok[1 : len(tok)-1] {
		if c < 0x20 || c >= utf8.RuneSelf {
			return tok, c >= 0x20 && utf8.Valid(tok) && !hasControl(tok), nil
		}
	}
	return tok, true, nil
}

// escapedString finds the end of a string token with escapes in it, which
// encoding/json reads.
func (d *visitDecoder) escapedString(start int) ([]byte, bool, error) {
	for i := start + 1; i < len(d.buf); i++ {
		switch d.buf[i] {
		case '"':
			d.pos = i + 1
			return d.buf[start:d.pos], false, nil
		case '\\':
			i++ // the escaped byte cannot end the string
		}
	}
	return nil, false, errSlowPath
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func (d *visitDecoder) str() (string, error) {
	tok, plain, err := d.rawString()
	if err != nil {
		return "", err
	}
	if plain {
		return d.text(tok[1 : len(tok)-1]), nil
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", errSlowPath
	}
	return s, nil
}

func (d *visitDecoder) time() (time.Time, error) {
	var t time.Time
	tok, _, err := d.rawString()
	if err != nil {
		return t, err
	}
	if err := t.UnmarshalJSON(tok); err != nil {
		return t, errSlowPath
	}
	return t, nil
}

// int reads an integer in JSON's grammar (no leading zeros, no fraction or
// exponent) that fits an int.
func (d *visitDecoder) int() (int, error) {
	d.ws()
	start := d.pos
	if d.pos < len(d.buf) && d.buf[d.pos] == '-' {
		d.pos++
	}
	digits := d.pos
	for d.pos < len(d.buf) && d.buf[d.pos] >= '0' && d.buf[d.pos] <= '9' {
		d.pos++
	}
	if d.pos == digits || (d.buf[digits] == '0' && d.pos > digits+1) {
		return 0, errSlowPath
	}
	if d.pos < len(d.buf) && (d.buf[d.pos] == '.' || d.buf[d.pos] == 'e' || d.buf[d.pos] == 'E') {
		return 0, errSlowPath
	}
	n, err := strconv.Atoi(string(d.buf[start:d.pos]))
	if err != nil {
		return 0, errSlowPath
	}
	return n, nil
}

func (d *visitDecoder) bool() (bool, error) {
	d.ws()
	for _, lit := range []struct {
		text string
		val  bool
	}{{"true", true}, {"false", false}} {
		if len(d.buf)-d.pos >= len(lit.text) && string(d.buf[d.pos:d.pos+len(lit.text)]) == lit.text {
			d.pos += len(lit.text)
			return lit.val, nil
		}
	}
	return false, errSlowPath
}

// object reads an object's members, calling member with each key (as
// bytes, valid until the next read) after the colon.
func (d *visitDecoder) object(member func(key []byte) error) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.next() == '}' {
		d.pos++
		return nil
	}
	for {
		key, plain, err := d.rawString()
		if err != nil || !plain {
			return errSlowPath
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		if err := member(key[1 : len(key)-1]); err != nil {
			return err
		}
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return errSlowPath
		}
	}
}

// array reads an array, calling elem for each element.
func (d *visitDecoder) array(elem func() error) error {
	if err := d.expect('['); err != nil {
		return err
	}
	if d.next() == ']' {
		d.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return errSlowPath
		}
	}
}

func (d *visitDecoder) list() ([]string, error) {
	out := []string{}
	err := d.array(func() error {
		s, err := d.str()
		out = append(out, s)
		return err
	})
	return out, err
}

// seen guards against a repeated field, which encoding/json merges in ways
// not worth copying here.
type seen uint16

func (s *seen) once(bit int) error {
	if *s&(1<<bit) != 0 {
		return errSlowPath
	}
	*s |= 1 << bit
	return nil
}

func (d *visitDecoder) visit(v *workflows.Visit) error {
	var got seen
	err := d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "schema":
			if err = got.once(0); err == nil {
				v.Schema, err = d.int()
			}
		case "id":
			if err = got.once(1); err == nil {
				v.ID, err = d.str()
			}
		case "date":
			if err = got.once(2); err == nil {
				v.Date, err = d.str()
			}
		case "created_by":
			if err = got.once(3); err == nil {
				v.CreatedBy, err = d.str()
			}
		case "created_at":
			if err = got.once(4); err == nil {
				v.CreatedAt, err = d.time()
			}
		case "crisis":
			if err = got.once(5); err == nil {
				v.Crisis, err = d.crisis()
			}
		case "flags":
			if err = got.once(6); err == nil {
				v.Flags, err = d.list()
			}
		case "fields":
			if err = got.once(7); err == nil {
				v.Fields, err = d.answers()
			}
		case "persons":
			if err = got.once(8); err == nil {
				v.Persons = []workflows.Answers{}
				err = d.array(func() error {
					p, err := d.answers()
					v.Persons = append(v.Persons, p)
					return err
				})
			}
		case "changes":
			if err = got.once(9); err == nil {
				v.Changes = []workflows.Change{}
				err = d.array(func() error {
					c, err := d.change()
					v.Changes = append(v.Changes, c)
					return err
				})
			}
		default:
			err = errSlowPath
		}
		return err
	})
	if err != nil {
		return err
	}
	if d.next() != 0 || d.pos != len(d.buf) {
		return errSlowPath
	}
	return nil
}

func (d *visitDecoder) crisis() (*workflows.CrisisRef, error) {
	c := &workflows.CrisisRef{}
	var got seen
	err := d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			if err = got.once(0); err == nil {
				c.ID, err = d.str()
			}
		case "disease":
			if err = got.once(1); err == nil {
				c.Disease, err = d.str()
			}
		default:
			err = errSlowPath
		}
		return err
	})
	return c, err
}

func (d *visitDecoder) answers() (workflows.Answers, error) {
	// Room for 14 answers fills a map of 16 slots, which holds a person's
	// answers and most visits' without growing; a larger hint doubles it.
	a := make(workflows.Answers, 14)
	err := d.object(func(key []byte) error {
		n := len(a)
		x, err := d.answer()
		a[d.text(key)] = x
		if len(a) == n { // a repeated key
			return errSlowPath
		}
		return err
	})
	return a, err
}

func (d *visitDecoder) answer() (workflows.Answer, error) {
	var x workflows.Answer
	var got seen
	err := d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "text":
			if err = got.once(0); err == nil {
				x.Text, err = d.str()
			}
		case "list":
			if err = got.once(1); err == nil {
				x.List, err = d.list()
			}
		case "number":
			if err = got.once(2); err == nil {
				var n int
				n, err = d.int()
				x.Number = &n
			}
		case "skipped":
			if err = got.once(3); err == nil {
				x.Skipped, err = d.bool()
			}
		default:
			err = errSlowPath
		}
		return err
	})
	return x, err
}

func (d *visitDecoder) change() (workflows.Change, error) {
	var c workflows.Change
	var got seen
	err := d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "at":
			if err = got.once(0); err == nil {
				c.At, err = d.time()
			}
		case "by":
			if err = got.once(1); err == nil {
				c.By, err = d.str()
			}
		case "field":
			if err = got.once(2); err == nil {
				c.Field, err = d.str()
			}
		case "old":
			if err = got.once(3); err == nil {
				c.Old, err = d.answer()
			}
		case "new":
			if err = got.once(4); err == nil {
				c.New, err = d.answer()
			}
		default:
			err = errSlowPath
		}
		return err
	})
	return c, err
}
