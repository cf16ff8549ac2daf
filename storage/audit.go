package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
)

var _ bot.AuditLog = (*Store)(nil)

// Audit keys:
//
//	audit/<time>/<seq>  -> JSON auditRecord; time is UTC with a fixed nine
//	                       fraction digits so keys sort by time, seq a
//	                       20-digit running number so entries of the same
//	                       instant stay apart and in order
//	seq/audit           -> the last running number
const (
	auditPrefix = "audit/"
	auditSeqKey = "seq/audit"
	// auditTime is RFC 3339 with a fixed-width fraction: RFC3339Nano drops
	// trailing zeros, and "…:05Z" would sort after "…:05.1Z".
	auditTime = "2006-01-02T15:04:05.000000000Z07:00"
)

// auditRecord is an audit entry as stored.
type auditRecord struct {
	Schema   int       `json:"schema"`
	At       time.Time `json:"at"`
	Who      string    `json:"who"`
	Platform string    `json:"platform,omitempty"`
	Action   string    `json:"action"`
	Object   string    `json:"object,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

func auditKey(at time.Time, seq uint64) []byte {
	return fmt.Appendf(nil, "%s%s/%020d", auditPrefix, at.UTC().Format(auditTime), seq)
}

// Append adds an entry to the audit log in one synced transaction. Entries
// are never changed or removed; the running number keeps two entries of the
// same instant apart.
func (s *Store) Append(ctx context.Context, e bot.AuditEntry) error {
	if e.Action == "" {
		return errors.New("append audit entry: empty action")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("append audit entry %s: %w", e.Action, err)
	}
	val, err := json.Marshal(auditRecord{Schema: 1, At: e.At, Who: e.Who, Platform: e.Platform,
		Action: e.Action, Object: e.Object, Detail: e.Detail})
	if err != nil {
		return fmt.Errorf("append audit entry %s: encode: %w", e.Action, err)
	}
	s.auditMu.Lock() // one counter: queue appends rather than conflict
	defer s.auditMu.Unlock()
	for range finishRetries {
		err = s.db.Update(func(txn *badger.Txn) error {
			n, err := nextSeq(txn, []byte(auditSeqKey))
			if err != nil {
				return err
			}
			return txn.Set(auditKey(e.At, n), val)
		})
		if !errors.Is(err, badger.ErrConflict) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("append audit entry %s: %w", e.Action, err)
	}
	return nil
}

// Entries lists the audit entries at or after since (all when since is
// zero), oldest first. It exists for `beredskab audit` and for auditors.
func (s *Store) Entries(ctx context.Context, since time.Time) iter.Seq2[bot.AuditEntry, error] {
	return func(yield func(bot.AuditEntry, error) bool) {
		seek := []byte(auditPrefix)
		if !since.IsZero() {
			seek = []byte(auditPrefix + since.UTC().Format(auditTime))
		}
		scan(ctx, s.db, []byte(auditPrefix), seek,
			func(string) (bool, bool) { return true, false },
			func(key string, val []byte) (bot.AuditEntry, error) {
				var r auditRecord
				if err := decode(val, &r); err != nil {
					return bot.AuditEntry{}, fmt.Errorf("list audit entries: record %s: %w", key, err)
				}
				return bot.AuditEntry{At: r.At, Who: r.Who, Platform: r.Platform, Action: r.Action, Object: r.Object, Detail: r.Detail}, nil
			},
			func(err error) error { return fmt.Errorf("list audit entries: %w", err) },
			yield)
	}
}
