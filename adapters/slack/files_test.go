package slack

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"beredskab/adapters/internal/chattest"
	"beredskab/bot"
)

// fakeFiles adds Slack's upload flow to the fake and keeps what arrives.
type fakeFiles struct {
	mu       sync.Mutex
	uploaded map[string][]byte // by file id
	shared   []map[string]string
}

func (ff *fakeFiles) endpoints(f *fakeSlack, c slacktest.Customize) {
	c.Handle("/files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		v := form(r)
		if v.Get("filename") == "" || v.Get("length") == "" {
			reply(w, map[string]any{"ok": false, "error": "invalid_arguments"})
			return
		}
		reply(w, map[string]any{"ok": true, "file_id": "F1", "upload_url": f.apiURL() + "upload/F1"})
	})
	c.Handle("/upload/F1", func(w http.ResponseWriter, r *http.Request) {
		file, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(file)
		ff.mu.Lock()
		ff.uploaded["F1"] = data
		ff.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	c.Handle("/files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		v := form(r)
		ff.mu.Lock()
		ff.shared = append(ff.shared, map[string]string{"channel": v.Get("channel_id"), "files": v.Get("files"), "comment": v.Get("initial_comment")})
		ff.mu.Unlock()
		reply(w, map[string]any{"ok": true, "files": []map[string]any{{"id": "F1", "title": "x"}}})
	})
}

// A file for a user goes into her DM with its comment, through the three
// steps of Slack's upload flow.
func TestSendFileUploadsIntoTheDM(t *testing.T) {
	ff := &fakeFiles{uploaded: map[string][]byte{}}
	fake := newFakeSlack(t, ff.endpoints)
	a, err := New(Options{Mode: HTTPMode, BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.apiURL(),
		Clock: chattest.NewClock(time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("\x89PNG not really")
	if err := a.SendFile(t.Context(), bot.Reply{User: coordinator, Text: "Besøg og personer mødt pr. måned, 2026."}, "statistik-2026.png", data); err != nil {
		t.Fatal(err)
	}
	ff.mu.Lock()
	defer ff.mu.Unlock()
	if !bytes.Equal(ff.uploaded["F1"], data) {
		t.Errorf("uploaded %q, want %q", ff.uploaded["F1"], data)
	}
	if len(ff.shared) != 1 || ff.shared[0]["channel"] != dmOf(coordinator) || ff.shared[0]["comment"] != "Besøg og personer mødt pr. måned, 2026." {
		t.Errorf("shared %+v, want the file in %s with its comment", ff.shared, dmOf(coordinator))
	}
	if err := a.SendFile(t.Context(), bot.Reply{User: coordinator}, "empty.png", nil); err == nil {
		t.Error("an empty file was sent")
	}
}
