package slack

import (
	"bytes"
	"context"
	"fmt"

	slackapi "github.com/slack-go/slack"

	"beredskab/bot"
)

var _ bot.FileSender = (*Adapter)(nil)

// SendFile shares a file (the report's chart, an Excel export) in the
// reply's conversation, usually the user's DM, with r.Text as its comment.
// It uses Slack's upload flow (files.getUploadURLExternal, the upload,
// files.completeUploadExternal; the files:write scope), paced and retried
// like messages. A retry after Slack completed the upload but before its
// answer arrived can share the file twice; nothing is lost.
func (a *Adapter) SendFile(ctx context.Context, r bot.Reply, name string, data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("slack: file %s is empty", name)
	}
	channel, err := a.target(ctx, r)
	if err != nil {
		return err
	}
	return a.out.Do(ctx, channel, "files.upload", func(ctx context.Context) error {
		_, err := a.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
			Channel: channel, Filename: name, Title: name, FileSize: len(data),
			Reader: bytes.NewReader(data), InitialComment: r.Text,
		})
		return err
	})
}
