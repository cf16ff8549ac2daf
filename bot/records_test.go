package bot_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"beredskab/bot"
	"beredskab/records"
	"beredskab/records/recordstest"
	"beredskab/storage"
	"beredskab/workflows"
)

// fileRecorder is a Sender that also takes files, like a chat platform.
type fileRecorder struct {
	recorder
	mu    sync.Mutex
	files []sentFile
}

type sentFile struct {
	reply bot.Reply
	name  string
	data  []byte
}

func (f *fileRecorder) SendFile(_ context.Context, r bot.Reply, name string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files = append(f.files, sentFile{r, name, data})
	return nil
}

func (f *fileRecorder) takeFiles() []sentFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.files
	f.files = nil
	return out
}

// newRecordsBot is a bot over an in-memory store holding the fixed visits,
// audited into the same store, sending through out.
func newRecordsBot(t *testing.T, out bot.Sender, log *bytes.Buffer) (*bot.Bot, *storage.Store) {
	t.Helper()
	s, err := storage.Open(t.Context(), storage.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, v := range recordstest.Fixed() {
		if _, err := s.FinishVisit(t.Context(), "mw", v); err != nil {
			t.Fatal(err)
		}
	}
	r, err := bot.NewRoster(roster)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bot.New(bot.Options{Roster: r, Store: s, Sender: out, Clock: &clock{t: time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)},
		Logger: slog.New(slog.NewTextHandler(log, nil)), Audit: s, Platform: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return b, s
}

func auditEntries(t *testing.T, s *storage.Store) []bot.AuditEntry {
	t.Helper()
	var got []bot.AuditEntry
	for e, err := range s.Entries(t.Context(), time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	return got
}

func dmMsg(user, text string) bot.Message {
	return bot.Message{User: user, Channel: "D-" + user, Direct: true, Text: text}
}

func TestMidwivesGetNoStatisticsNorExport(t *testing.T) {
	out := &fileRecorder{}
	var log bytes.Buffer
	b, s := newRecordsBot(t, out, &log)
	for _, text := range []string{"/rapport 2026", "/report", "rapport", "/export 2026", "eksport 2026"} {
		if err := b.Handle(t.Context(), dmMsg("mw", text)); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		replies := out.take()
		if len(replies) != 1 || !strings.Contains(replies[0].Text, "Det har din rolle ikke adgang til") {
			t.Errorf("%s by a midwife: %+v, want the refusal", text, replies)
		}
		if files := out.takeFiles(); len(files) != 0 {
			t.Errorf("%s by a midwife sent %d files", text, len(files))
		}
	}
	if got := auditEntries(t, s); len(got) != 0 {
		t.Errorf("refusals audited: %+v", got)
	}
	if err := b.Handle(t.Context(), dmMsg("mw", "hjælp")); err != nil {
		t.Fatal(err)
	}
	if help := out.take()[0].Text; strings.Contains(help, "/rapport") || strings.Contains(help, "/export") {
		t.Errorf("a midwife's help offers the coordinators' commands:\n%s", help)
	}
}

func TestCoordinatorGetsTheReportAndChartInTheDM(t *testing.T) {
	out := &fileRecorder{}
	var log bytes.Buffer
	b, s := newRecordsBot(t, out, &log)
	// Asked in the team channel: the figures go to her DM, the channel gets a pointer.
	if err := b.Handle(t.Context(), channelMsg("co", "/rapport 2026")); err != nil {
		t.Fatal(err)
	}
	replies := out.take()
	if len(replies) != 2 {
		t.Fatalf("%d replies, want the report and a pointer: %+v", len(replies), replies)
	}
	if r := replies[0]; r.Channel != "" || r.User != "co" || !strings.Contains(r.Text, "# Statistik 2026") ||
		!strings.Contains(r.Text, "Besøg med kontakt: 3 (kontaktrate: 60 %)") {
		t.Errorf("report reply %+v, want the Danish report to co's DM", r)
	}
	if r := replies[1]; r.Channel != "C-team" || !r.Ephemeral || !strings.Contains(r.Text, "direkte samtale") {
		t.Errorf("channel reply %+v, want a pointer to the DM", r)
	}
	files := out.takeFiles()
	if len(files) != 1 || files[0].name != "statistik-2026.png" || files[0].reply.User != "co" || files[0].reply.Channel != "" {
		t.Fatalf("files %+v, want the chart in co's DM", files)
	}
	if _, err := png.Decode(bytes.NewReader(files[0].data)); err != nil {
		t.Errorf("chart: %v", err)
	}
	got := auditEntries(t, s)
	if len(got) != 1 || got[0].Who != "co" || got[0].Action != "report" || got[0].Object != "2026" || got[0].Platform != "test" {
		t.Errorf("audit %+v, want one report entry by co for 2026", got)
	}
	for _, bad := range []string{"Nigeria", "NG", "HYPERLINK", "Vestergade"} {
		if strings.Contains(log.String(), bad) {
			t.Errorf("the log holds %q:\n%s", bad, log.String())
		}
	}
}

func TestReportWithBadPeriodShowsUse(t *testing.T) {
	out := &fileRecorder{}
	b, s := newRecordsBot(t, out, &bytes.Buffer{})
	for _, text := range []string{"/rapport sidste år", "/rapport 2026-06 2026-01", "/export 2026-13 x"} {
		if err := b.Handle(t.Context(), dmMsg("co", text)); err != nil {
			t.Fatal(err)
		}
		if r := out.take(); len(r) != 1 || !strings.Contains(r[0].Text, "Brug: /") {
			t.Errorf("%s: %+v, want its correct use", text, r)
		}
	}
	if got := auditEntries(t, s); len(got) != 0 {
		t.Errorf("bad requests audited: %+v", got)
	}
}

func TestCoordinatorGetsTheExcelFileInTheDM(t *testing.T) {
	out := &fileRecorder{}
	var log bytes.Buffer
	b, s := newRecordsBot(t, out, &log)
	if err := b.Handle(t.Context(), dmMsg("co", "/export 2026")); err != nil {
		t.Fatal(err)
	}
	if r := out.take(); len(r) != 0 {
		t.Errorf("replies %+v besides the file", r)
	}
	files := out.takeFiles()
	if len(files) != 1 || files[0].name != "besoeg-2026.xlsx" || files[0].reply.User != "co" {
		t.Fatalf("files %+v, want the workbook in co's DM", files)
	}
	f, err := excelize.OpenReader(bytes.NewReader(files[0].data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Besøg")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+5 { // the 2025 visit is not in 2026
		t.Errorf("%d rows, want a header and the five visits of 2026", len(rows))
	}
	got := auditEntries(t, s)
	if len(got) != 1 || got[0].Who != "co" || got[0].Action != "export" || got[0].Object != "2026" || got[0].Detail != "xlsx" {
		t.Errorf("audit %+v, want one xlsx export entry by co for 2026", got)
	}
}

func TestWithoutFilesTheBotSaysSo(t *testing.T) {
	out := &recorder{}
	b, s := newRecordsBot(t, out, &bytes.Buffer{})
	if err := b.Handle(t.Context(), dmMsg("co", "/export")); err != nil {
		t.Fatal(err)
	}
	if r := out.take(); len(r) != 1 || !strings.Contains(r[0].Text, "Her kan jeg ikke sende filer") {
		t.Errorf("export without files: %+v", r)
	}
	if err := b.Handle(t.Context(), dmMsg("co", "/report 2026")); err != nil {
		t.Fatal(err)
	}
	if r := out.take(); len(r) != 1 || !strings.Contains(r[0].Text, "Diagrammet kan ikke vises her") {
		t.Errorf("report without files: %+v", r)
	}
	if got := auditEntries(t, s); len(got) != 1 || got[0].Action != "report" {
		t.Errorf("audit %+v, want the report only (no export was made)", got)
	}
}

// After retention the figures of the deleted person data come from the
// kept aggregates: the report reads the same as before it ran.
func TestStatisticsStayRightAfterRetention(t *testing.T) {
	_, s := newRecordsBot(t, &recorder{}, &bytes.Buffer{})
	p := records.Period{From: "2025-12", To: "2026-03"}
	before, err := bot.Statistics(t.Context(), s, p)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.DeletePersonData(t.Context(), "2026-02") // December and January
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) != 2 {
		t.Fatalf("retention took %d months, want 2", len(gone))
	}
	after, err := bot.Statistics(t.Context(), s, p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after.Kept, []string{"2025-12", "2026-01"}) {
		t.Errorf("kept months %v, want 2025-12 and 2026-01", after.Kept)
	}
	after.Kept = nil
	if a, b := after.Markdown(workflows.Danish), before.Markdown(workflows.Danish); a != b {
		t.Errorf("after retention the report reads\n%s\nwant\n%s", a, b)
	}
	if after.Total.Persons != 6 || after.Total.Visits != 6 {
		t.Errorf("after retention %d visits, %d persons; want 6 and 6", after.Total.Visits, after.Total.Persons)
	}
}

// visitsOnly hides the store's month figures, so the statistics count its
// visits instead.
type visitsOnly struct{ bot.VisitStore }

// The report read from the store's month figures is the report counted
// from its visits, after edits that move a visit to another month and
// change its answers and persons, and after a deletion.
func TestStatisticsFromTheStoredFiguresEqualTheCountedVisits(t *testing.T) {
	_, s := newRecordsBot(t, &recorder{}, &bytes.Buffer{})
	ctx := t.Context()
	v, err := s.Visit(ctx, "2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	v.Date = "2026-03-01"
	v.Fields["date"] = workflows.Answer{Text: v.Date}
	v.Fields["method"] = workflows.Answer{Text: "sms"}
	v.Persons = append(v.Persons, workflows.Answers{"nationality": {Text: "VN"}, "gender": {Text: "woman"}})
	if _, err := s.UpdateVisit(ctx, "co", v); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteVisit(ctx, bot.DeletedVisit{ID: "2026-0003", Date: "2026-02-03", By: "co", At: time.Now(), Reason: "dobbelt"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []records.Period{records.Year(2026), {From: "2025-12", To: "2026-02"}, records.Year(2025)} {
		stored, err := bot.Statistics(ctx, s, p)
		if err != nil {
			t.Fatal(err)
		}
		counted, err := bot.Statistics(ctx, visitsOnly{s}, p)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := stored.Markdown(workflows.English), counted.Markdown(workflows.English); a != b {
			t.Errorf("%v from the stored figures:\n%s\nwant, counted from the visits:\n%s", p, a, b)
		}
	}
}

// failingFiles is a platform whose file upload fails.
type failingFiles struct{ recorder }

func (*failingFiles) SendFile(context.Context, bot.Reply, string, []byte) error {
	return errors.New("upload refused")
}

func TestAFailedUploadIsTold(t *testing.T) {
	out := &failingFiles{}
	b, _ := newRecordsBot(t, out, &bytes.Buffer{})
	if err := b.Handle(t.Context(), dmMsg("co", "/export 2026")); err == nil {
		t.Error("a failed upload returned no error")
	}
	if r := out.take(); len(r) != 1 || r[0].User != "co" || !strings.Contains(r[0].Text, "Jeg kunne ikke sende filen") {
		t.Errorf("replies %+v, want word that the file did not come", r)
	}
}
