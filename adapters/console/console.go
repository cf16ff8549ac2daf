// Package console is the adapter for a terminal: one message per line in,
// the bot's replies out. It is the default adapter and the harness the
// end-to-end tests drive the real core through.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"beredskab/bot"
)

// Channel is the id of the console's one conversation, a direct one.
const Channel = "console"

// Console reads messages from In and writes replies to Out, acting as one
// configured user in a direct conversation with the bot.
type Console struct {
	User string
	// Echo repeats each input line as "> line" before the replies, so that
	// output read from a file is a transcript of the conversation.
	Echo bool
	Log  *slog.Logger
	// Files is the folder SendFile writes files into (default: the
	// current directory).
	Files string

	in  *bufio.Reader
	mu  sync.Mutex
	out *bufio.Writer

	// handling is held while a message is handled; Stop takes it so that
	// the store is not closed under a message in progress.
	handling sync.Mutex
	stopped  bool
}

// Stop waits for the message being handled, if any, and handles no more.
func (c *Console) Stop() {
	c.handling.Lock()
	c.stopped = true
	c.handling.Unlock()
}

var (
	_ bot.Adapter    = (*Console)(nil)
	_ bot.FileSender = (*Console)(nil)
)

// New makes a console adapter for user over in and out.
func New(in io.Reader, out io.Writer, user string) *Console {
	return &Console{User: user, Log: slog.New(slog.DiscardHandler), in: bufio.NewReader(in), out: bufio.NewWriter(out)}
}

// Run delivers each line to h until the input ends (then it returns nil) or
// ctx is done. A line starting with "/" is a slash command. A failure to
// handle one line is logged and the next line is read: the console never
// stops on bad input.
func (c *Console) Run(ctx context.Context, h bot.Handler) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := c.in.ReadString('\n')
		if errors.Is(err, io.EOF) && line == "" {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read console input: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if c.Echo {
			if err := c.write("> " + line + "\n"); err != nil {
				return err
			}
		}
		c.handling.Lock()
		if c.stopped {
			c.handling.Unlock()
			return nil
		}
		if herr := h.Handle(ctx, bot.Message{User: c.User, Channel: Channel, Direct: true, Text: line}); herr != nil {
			c.Log.Error("handle console message", "err", herr)
		}
		c.handling.Unlock()
	}
}

// Send writes one reply followed by an empty line and flushes it, so a
// program reading the output sees each reply as soon as it is sent.
func (c *Console) Send(_ context.Context, r bot.Reply) error {
	var b strings.Builder
	b.WriteString(r.Text)
	b.WriteString("\n")
	if r.Keywords && len(r.Options) > 0 {
		labels := make([]string, len(r.Options))
		for i, o := range r.Options {
			labels[i] = "«" + strings.ToLower(o.Label) + "»"
		}
		b.WriteString("→ " + strings.Join(labels, " · ") + "\n")
	} else {
		for i, o := range r.Options {
			fmt.Fprintf(&b, "  %d) %s\n", i+1, o.Label)
		}
	}
	b.WriteString("\n")
	return c.write(b.String())
}

// SendFile writes the file into the Files folder with mode 0600 (reports and
// exports are health data), under its name or, when that is taken, a
// numbered one, and prints the comment and the file's path.
func (c *Console) SendFile(ctx context.Context, r bot.Reply, name string, data []byte) error {
	dir := c.Files
	if dir == "" {
		dir = "."
	}
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(filepath.Base(name), ext)
	var path string
	for i := 1; ; i++ {
		path = filepath.Join(dir, base+ext)
		if i > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d%s", base, i, ext))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 1000 {
			continue
		}
		if err != nil {
			return fmt.Errorf("write file for the console: %w", err)
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return fmt.Errorf("write file %s: %w", path, werr)
		}
		break
	}
	r.Text = strings.TrimSpace(r.Text + "\n📎 " + path)
	return c.Send(ctx, r)
}

func (c *Console) write(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.out.WriteString(s); err != nil {
		return fmt.Errorf("write console output: %w", err)
	}
	if err := c.out.Flush(); err != nil {
		return fmt.Errorf("flush console output: %w", err)
	}
	return nil
}
