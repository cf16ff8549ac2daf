package mattermost

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"beredskab/adapters/internal/chat"
)

// press is what a button means, carried in its integration context and
// signed, so a press needs no state kept between posting and pressing and
// a forged or altered one is refused.
type press struct {
	// Kind is one of the kinds below.
	Kind  string `json:"k"`
	Value string `json:"v,omitempty"`
	Label string `json:"l,omitempty"`
	// User may press it ("" for anyone in Channel, as on the checklist).
	User    string `json:"u,omitempty"`
	Channel string `json:"c"`
	Issued  int64  `json:"t"`
	Nonce   string `json:"n"`
	// A multiple choice's state travels with its buttons: the options, the
	// ticked ones, and which option a toggle flips.
	Options [][2]string `json:"o,omitempty"`
	Ticked  []string    `json:"x,omitempty"`
	Index   int         `json:"i,omitempty"`
}

// Kinds of press.
const (
	kindOption  = "opt"  // a choice button: its value is typed
	kindSelect  = "sel"  // a select of choices: the chosen value is typed
	kindToggle  = "tog"  // ticks or unticks an option of a multiple choice
	kindNext    = "next" // sends the ticked options
	kindCommand = "act"  // a Reply.Actions button on a live post: a command
)

// answersOnce reports whether a press of this kind answers the question
// its post asks: the post then loses its buttons, and a second press of it
// is dropped.
func (p press) answersOnce() bool {
	return p.Kind == kindOption || p.Kind == kindSelect || p.Kind == kindNext
}

// signer signs and verifies button contexts with HMAC-SHA256.
type signer struct {
	key    []byte
	clock  chat.Clock
	maxAge time.Duration
}

// Context keys: the payload and its signature. The server adds
// "selected_option" for a select; it is outside the signed payload.
const (
	ctxPayload   = "p"
	ctxSignature = "s"
	ctxSelected  = "selected_option"
)

// context is p, stamped and signed, as an integration context.
func (s signer) context(p press) map[string]any {
	p.Issued = s.clock.Now().Unix()
	var nonce [9]byte
	_, _ = rand.Read(nonce[:])
	p.Nonce = base64.RawURLEncoding.EncodeToString(nonce[:])
	payload, _ := json.Marshal(p) // a struct of strings and ints: cannot fail
	enc := base64.RawURLEncoding.EncodeToString(payload)
	return map[string]any{ctxPayload: enc, ctxSignature: s.mac(enc)}
}

func (s signer) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("beredskab mattermost action v1\n"))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// errForged is a press whose context was not signed by this bot or was
// altered; errStale one older than the buttons may live, or pressed by
// someone else or elsewhere than it was posted for.
var (
	errForged = errors.New("button context not signed by this bot")
	errStale  = errors.New("button too old")
	errWrong  = errors.New("button pressed by another user or in another channel")
)

// verify checks a press's context against the signature, its age, and the
// user and channel the server says it was pressed by and in.
func (s signer) verify(ctx map[string]any, user, channel string) (press, error) {
	enc, _ := ctx[ctxPayload].(string)
	sig, _ := ctx[ctxSignature].(string)
	if enc == "" || sig == "" || !hmac.Equal([]byte(sig), []byte(s.mac(enc))) {
		return press{}, errForged
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return press{}, fmt.Errorf("%w: %v", errForged, err)
	}
	var p press
	if err := json.Unmarshal(raw, &p); err != nil {
		return press{}, fmt.Errorf("%w: %v", errForged, err)
	}
	age := s.clock.Now().Sub(time.Unix(p.Issued, 0))
	if age > s.maxAge || age < -5*time.Minute {
		return press{}, errStale
	}
	if p.Channel != channel || (p.User != "" && p.User != user) {
		return press{}, errWrong
	}
	if p.Kind == kindSelect {
		p.Value, _ = ctx[ctxSelected].(string)
		p.Label = p.Value
		for _, o := range p.Options {
			if o[0] == p.Value {
				p.Label = o[1]
			}
		}
	}
	return p, nil
}
