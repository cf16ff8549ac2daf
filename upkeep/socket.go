package upkeep

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"beredskab/bot"
)

// SocketName is the Unix socket the running bot serves in its data folder,
// so `beredskab backup FILE` works while the bot holds the folder (Badger
// lets one process open it). The socket is mode 0600: only the bot's own
// user reaches it, and what it serves is the encrypted backup.
const SocketName = "backup.sock"

// BackupServer answers "backup" on the socket with an encrypted backup
// stream. Open starts it, Close stops it and waits for a backup in
// progress.
type BackupServer struct {
	Store BackupSource
	Clock Clock
	// Audit records every backup served; nil turns it off.
	Audit  bot.AuditLog
	Logger *slog.Logger

	ln     net.Listener
	path   string
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open listens on dir/SocketName. A socket file left by a crashed bot is
// removed: the caller holds the data folder, so no one else serves it.
func (s *BackupServer) Open(ctx context.Context, dir string) error {
	s.path = filepath.Join(dir, SocketName)
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup socket: %w", err)
	}
	ln, err := net.Listen("unix", s.path)
	if err != nil {
		return fmt.Errorf("backup socket: %w", err)
	}
	if err := os.Chmod(s.path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("backup socket: %w", err)
	}
	s.ln = ln
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				if err := s.serve(ctx, conn); err != nil && s.Logger != nil {
					s.Logger.Error("backup over the socket failed", "err", err)
				}
			}()
		}
	}()
	return nil
}

func (s *BackupServer) serve(ctx context.Context, conn net.Conn) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	line, err := bufio.NewReader(io.LimitReader(conn, 64)).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	if strings.TrimSpace(line) != "backup" {
		return fmt.Errorf("unknown request %q", strings.TrimSpace(line))
	}
	n, err := s.Store.Backup(ctx, conn)
	if err != nil {
		return err
	}
	if s.Logger != nil {
		s.Logger.Info("backup served over the socket", "records", n)
	}
	if s.Audit != nil {
		if err := s.Audit.Append(ctx, bot.AuditEntry{At: s.Clock.Now(), Who: "operator", Platform: "socket",
			Action: "backup", Detail: fmt.Sprintf("%d records to a file", n)}); err != nil {
			return fmt.Errorf("audit backup: %w", err)
		}
	}
	return nil
}

// Close stops listening, ends backups in progress and removes the socket.
func (s *BackupServer) Close() error {
	if s.ln == nil {
		return nil
	}
	s.cancel()
	err := s.ln.Close()
	s.wg.Wait()
	if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// ErrNoBot is returned (wrapped) by FetchBackup when no running bot serves
// the socket.
var ErrNoBot = errors.New("no running beredskab serves the data folder")

// FetchBackup asks the bot running on data folder dir for a backup and
// copies it to w. The caller checks it (storage.VerifyBackup): a stream cut
// short lacks its last-chunk mark.
func FetchBackup(ctx context.Context, dir string, w io.Writer) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", filepath.Join(dir, SocketName))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoBot, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := io.WriteString(conn, "backup\n"); err != nil {
		return fmt.Errorf("ask the bot for a backup: %w", err)
	}
	if _, err := io.Copy(w, conn); err != nil {
		return fmt.Errorf("receive the backup: %w", err)
	}
	return nil
}
