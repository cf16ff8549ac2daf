package chat

import (
	"strings"
	"unicode/utf8"
)

// Split cuts s into pieces of at most n characters, preferring line
// breaks; it always returns at least one piece.
func Split(s string, n int) []string {
	var out []string
	for utf8.RuneCountInString(s) > n {
		head := Cut(s, n)
		if i := strings.LastIndexByte(head, '\n'); i > 0 && !strings.HasPrefix(s[len(head):], "\n") {
			head = head[:i]
		}
		out = append(out, head)
		s = strings.TrimPrefix(s[len(head):], "\n")
	}
	return append(out, s)
}

// Cut returns at most n characters of s.
func Cut(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}
