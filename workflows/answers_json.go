package workflows

import (
	"slices"
	"strconv"
)

// MarshalJSON writes the answers as encoding/json would (an object with
// sorted keys, each Answer with its empty fields left out), without
// reflection: a draft is encoded on every chat turn, before the synced
// write the user waits for.
func (a Answers) MarshalJSON() ([]byte, error) {
	if a == nil {
		return []byte("null"), nil
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 48*len(a)+2)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = a[k].appendJSON(b)
	}
	return append(b, '}'), nil
}

// appendJSON writes one answer with its empty fields left out, as the
// struct tags say.
func (x Answer) appendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	if x.Text != "" {
		field("text")
		b = appendJSONString(b, x.Text)
	}
	if len(x.List) > 0 {
		field("list")
		b = append(b, '[')
		for i, s := range x.List {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		b = append(b, ']')
	}
	if x.Number != nil {
		field("number")
		b = strconv.AppendInt(b, int64(*x.Number), 10)
	}
	if x.Skipped {
		field("skipped")
		b = append(b, "true"...)
	}
	return append(b, '}')
}

// appendJSONString quotes s as a JSON string. strconv.Quote's Go escapes
// (\x.., \U........) are not JSON, so escaping is done here: quote,
// backslash and control characters escaped, invalid UTF-8 replaced, the
// rest as it is (as encoding/json does, less its HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		case r == 0x2028 || r == 0x2029: // valid JSON, but not in JavaScript strings
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xf])
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}
