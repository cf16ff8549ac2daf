package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"beredskab/export"
	"beredskab/records"
)

// FileSender is an adapter that can deliver a file (the report's chart, an
// Excel export) into a conversation, with r.Text as its comment. Without it
// the core sends the text alone and says the file cannot come here.
type FileSender interface {
	SendFile(ctx context.Context, r Reply, name string, data []byte) error
}

// FigureStore is a store that keeps every month's figures up to date as
// visits are saved, edited, deleted and retained (storage.Store), so the
// statistics read one small record a month instead of every visit. A store
// without it has its visits counted (records.Tally).
type FigureStore interface {
	// MonthFigures lists the figures of the months fromMonth to toMonth
	// ("YYYY-MM", inclusive) and names the months among them whose person
	// data retention deleted.
	MonthFigures(ctx context.Context, fromMonth, toMonth string) (figures []records.MonthFigures, personDataDeleted []string, err error)
}

var (
	txtReportUsage  = text{Da: "Brug: /rapport [år | fra til] – fx «/rapport 2026» eller «/rapport 2026-01 2026-06».", En: "Use: /report [year | from to] – e.g. «/report 2026» or «/report 2026-01 2026-06»."}
	txtExportUsage  = text{Da: "Brug: /export [år | fra til] – fx «/export 2026»: besøgene som Excel-fil.", En: "Use: /export [year | from to] – e.g. «/export 2026»: the visits as an Excel file."}
	txtToDM         = text{Da: "Jeg har sendt det til dig i vores direkte samtale.", En: "I have sent it to you in our direct conversation."}
	txtReadFailed   = text{Da: "Jeg kunne ikke læse besøgene lige nu. Prøv igen om lidt.", En: "I could not read the visits just now. Please try again in a moment."}
	txtNoFiles      = text{Da: "Her kan jeg ikke sende filer. Excel-filen laves på serveren med «beredskab export --format xlsx -o besøg.xlsx».", En: "I cannot send files here. The Excel file is made on the server with «beredskab export --format xlsx -o visits.xlsx»."}
	txtNoChartFile  = text{Da: "(Diagrammet kan ikke vises her; «beredskab report --chart fil.png» laver det på serveren.)", En: "(The chart cannot be shown here; «beredskab report --chart file.png» makes it on the server.)"}
	txtFileFailed   = text{Da: "Jeg kunne ikke sende filen lige nu. Prøv igen om lidt.", En: "I could not send the file just now. Please try again in a moment."}
	txtChartComment = text{Da: "Besøg og personer mødt pr. måned, %s.", En: "Visits and persons met per month, %s."}
	txtExportFile   = text{Da: "Besøg %s som Excel: ark «Besøg», «Personer» (med besøgs-id) og «Koder». Filen indeholder personoplysninger – gem den sikkert, og slet den, når du er færdig.", En: "Visits %s as Excel: sheets «Besøg» (visits), «Personer» (persons, with the visit id) and «Koder» (ids). The file holds person data – keep it safe and delete it when you are done."}
)

// Statistics makes the statistics report of a period from the store's
// month figures, or by counting its visits when it keeps none; the command
// line uses it too.
func Statistics(ctx context.Context, store VisitStore, p records.Period) (records.Report, error) {
	if fs, ok := store.(FigureStore); ok {
		figures, kept, err := fs.MonthFigures(ctx, p.From, p.To)
		if err != nil {
			return records.Report{}, fmt.Errorf("statistics %s: %w", p, err)
		}
		return records.FromFigures(p, figures, kept), nil
	}
	from, to := p.Dates()
	live, err := records.Tally(store.Visits(ctx, from, to), p)
	if err != nil {
		return records.Report{}, fmt.Errorf("statistics %s: %w", p, err)
	}
	return records.NewReport(p, nil, live), nil
}

// report is /report (/rapport): the statistics of a year or of a range of
// months, as text and a chart, in the user's direct conversation.
func (b *Bot) report(ctx context.Context, req Request) error {
	lang := req.Lang()
	p, err := records.ParsePeriod(strings.Fields(req.Args), b.now())
	if err != nil {
		return b.reply(ctx, req.Message, Reply{Text: txtReportUsage.In(lang), Ephemeral: true})
	}
	rep, err := Statistics(ctx, b.opt.Store, p)
	if err != nil {
		return b.readFailed(ctx, req, err)
	}
	b.audit(ctx, req, "report", p.String(), "")
	b.log.Info("statistics report", "period", p.String(), "by", req.User)
	dm := Reply{User: req.User, Text: rep.Markdown(lang)}
	fs, canFile := b.opt.Sender.(FileSender)
	if !canFile {
		dm.Text += "\n" + txtNoChartFile.In(lang)
	}
	if err := b.reply(ctx, req.Message, dm); err != nil {
		return err
	}
	if canFile {
		png, err := rep.Chart(lang)
		if err != nil {
			return fmt.Errorf("statistics %s: %w", p, err)
		}
		name := "statistik-" + p.Slug() + ".png"
		if err := fs.SendFile(ctx, Reply{User: req.User, Text: fmtText(txtChartComment, lang, p)}, name, png); err != nil {
			return b.fileFailed(ctx, req, fmt.Errorf("send chart to %s: %w", req.User, err))
		}
	}
	return b.pointToDM(ctx, req)
}

// exportFile is /export: the visits of a year as an Excel file in the
// user's direct conversation, where the platform takes files.
func (b *Bot) exportFile(ctx context.Context, req Request) error {
	lang := req.Lang()
	p, err := records.ParsePeriod(strings.Fields(req.Args), b.now())
	if err != nil {
		return b.reply(ctx, req.Message, Reply{Text: txtExportUsage.In(lang), Ephemeral: true})
	}
	fs, ok := b.opt.Sender.(FileSender)
	if !ok {
		return b.reply(ctx, req.Message, Reply{Text: txtNoFiles.In(lang), Ephemeral: true})
	}
	from, to := p.Dates()
	var buf bytes.Buffer
	if err := export.XLSX(&buf, b.opt.Registration, b.opt.Store.Visits(ctx, from, to)); err != nil {
		return b.readFailed(ctx, req, err)
	}
	b.audit(ctx, req, "export", p.String(), "xlsx")
	b.log.Info("xlsx export", "period", p.String(), "by", req.User, "bytes", buf.Len())
	if err := fs.SendFile(ctx, Reply{User: req.User, Text: fmtText(txtExportFile, lang, p)}, "besoeg-"+p.Slug()+".xlsx", buf.Bytes()); err != nil {
		return b.fileFailed(ctx, req, fmt.Errorf("send export to %s: %w", req.User, err))
	}
	return b.pointToDM(ctx, req)
}

// pointToDM tells a user who asked in a channel where the answer went.
func (b *Bot) pointToDM(ctx context.Context, req Request) error {
	if req.Direct {
		return nil
	}
	return b.reply(ctx, req.Message, Reply{Text: txtToDM.In(req.Lang()), Ephemeral: true})
}

// fileFailed tells the user a file did not reach her and returns err.
func (b *Bot) fileFailed(ctx context.Context, req Request, err error) error {
	if sendErr := b.reply(ctx, req.Message, Reply{User: req.User, Text: txtFileFailed.In(req.Lang())}); sendErr != nil {
		return fmt.Errorf("%w; and: %w", err, sendErr)
	}
	return err
}

func (b *Bot) readFailed(ctx context.Context, req Request, err error) error {
	b.log.Error("reading the visits failed", "user", req.User, "err", err)
	if sendErr := b.reply(ctx, req.Message, Reply{Text: txtReadFailed.In(req.Lang())}); sendErr != nil {
		return fmt.Errorf("%w; and: %w", err, sendErr)
	}
	return err
}
