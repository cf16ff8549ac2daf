// Package storage keeps drafts and finished visits in an encrypted Badger
// database, implementing bot.DraftStore and bot.VisitStore.
//
// Every value is a JSON document carrying a "schema" field
// (workflows.SchemaVersion when written) so later versions can migrate old
// records.
//
// Key layout (all keys are plain ASCII; values are encrypted at rest together
// with the keys by Badger's AES-256 encryption):
//
//	draft/<user>               -> JSON workflows.Draft, one per user
//	visit/<YYYY-MM-DD>/<id>    -> JSON workflows.Visit; the date first so a
//	                              prefix scan returns visits in date order,
//	                              then id order within a day
//	visitid/<id>               -> the full visit/<date>/<id> key (an index,
//	                              so a visit can be found by its id alone)
//	seq/visit/<YYYY>           -> 8-byte big-endian uint64, the last running
//	                              number handed out for that year
//	figures/<YYYY-MM>          -> the month's statistics figures, changed in
//	                              the transaction that changes a visit of
//	                              it (figures.go)
//
// Visit ids are "<YYYY>-<nnnn>" (at least four digits). Within one day they
// sort by number as long as a year has fewer than 10000 visits.
package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
	"beredskab/workflows"
)

// The store must satisfy the interfaces the bot is written against.
var (
	_ bot.DraftStore = (*Store)(nil)
	_ bot.VisitStore = (*Store)(nil)
)

const (
	draftPrefix   = "draft/"
	visitPrefix   = "visit/"
	visitIDPrefix = "visitid/"
	seqPrefix     = "seq/visit/"

	// isoDate is the layout of visit dates and of the Visits bounds.
	isoDate = "2006-01-02"

	// finishRetries is how often FinishVisit tries when Badger reports a
	// transaction conflict on the year counter. finishMu already queues
	// finishes in this process, so this is a safety net, not the plan.
	finishRetries = 5
)

// KeySize is the length of the encryption key in bytes (AES-256). It is
// exported so that callers can check a key before opening the store.
const KeySize = 32

// Options configures Open. It exists so the caller (main, tests) decides
// where data lives and which key protects it; the tuning is fixed here.
type Options struct {
	// Dir is the database directory; required unless InMemory.
	Dir string
	// InMemory keeps everything in memory, for tests. Nothing is durable.
	InMemory bool
	// Key is the 32-byte AES-256 key that encrypts data at rest. Required
	// unless InMemory (where it is optional).
	Key []byte
	// Logger receives Badger's warnings and errors; Badger's informational
	// chatter is logged at Debug. Nil means slog.Default().
	Logger *slog.Logger

	// skipFigures leaves the month figures unbuilt: Restore builds them
	// after loading a backup, which may come from before they existed.
	skipFigures bool
}

// Store is the Badger-backed draft and visit store; it exists so the bot's
// state survives restarts and crashes, encrypted on disk.
type Store struct {
	db *badger.DB
	// finishMu serialises FinishVisit within this process. Concurrent
	// finishes in the same year all read and bump one counter, and Badger's
	// optimistic transactions would make most of them fail with ErrConflict;
	// queueing them costs one synced write each, which is rare (once per
	// registration). Badger's directory lock keeps other processes out.
	finishMu sync.Mutex
	// auditMu serialises audit appends, which share one running number.
	auditMu sync.Mutex
	// key is the encryption key, which backups are encrypted under.
	key []byte
}

// Open opens (or creates) the store. It exists to put all the Badger tuning,
// encryption and logging in one place.
func Open(ctx context.Context, o Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	var bo badger.Options
	if o.InMemory {
		if o.Dir != "" {
			return nil, errors.New("open store: Dir must be empty when InMemory is set")
		}
		if len(o.Key) != 0 && len(o.Key) != KeySize {
			return nil, fmt.Errorf("open store: encryption key must be %d bytes (AES-256), got %d", KeySize, len(o.Key))
		}
		bo = badger.DefaultOptions("").WithInMemory(true)
	} else {
		if o.Dir == "" {
			return nil, errors.New("open store: Dir is required unless InMemory is set")
		}
		if len(o.Key) != KeySize {
			return nil, fmt.Errorf("open store in %s: encryption key is required and must be %d bytes (AES-256), got %d", o.Dir, KeySize, len(o.Key))
		}
		bo = badger.DefaultOptions(o.Dir)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}

	bo = bo.
		// Durability: the bot acknowledges an answer only after SaveDraft
		// returns, so every commit must be fsynced.
		WithSyncWrites(true).
		WithLogger(slogAdapter{l: logger}).
		// Badger's defaults are sized for hundreds of GB; this store holds a
		// few thousand small JSON records. The values below keep resident
		// memory and preallocated files small:
		//
		// 8 MiB memtable (default 64 MiB): each memtable is an mmapped
		// arena plus a WAL file of this size. 8 MiB still holds thousands
		// of ~2 KB drafts, and keeps the max batch (15% = 1.2 MiB) above
		// the default 1 MiB ValueThreshold, which Badger's validation
		// requires.
		WithMemTableSize(8 << 20).
		// Two memtables (default 5): one active, one being flushed.
		WithNumMemtables(2).
		// 8 MiB block cache (default 256 MiB): Badger needs a block cache
		// when encryption (or compression) is on; the whole data set fits.
		WithBlockCacheSize(8 << 20).
		// 4 MiB index cache (default 0 = all indices in memory): Badger
		// requires an index cache when encryption is on, since decrypted
		// table indices are kept there.
		WithIndexCacheSize(4 << 20).
		// 16 MiB value-log files (default 1 GiB): files are preallocated
		// and mmapped at this size; 1 MiB is Badger's minimum.
		WithValueLogFileSize(16 << 20).
		// 2 MiB SSTables (the default, stated so it stays small next to
		// the memtable).
		WithBaseTableSize(2 << 20).
		// Two compactors (default 4): the minimum Badger accepts other
		// than zero (one would push everything to L2), for little data.
		WithNumCompactors(2).
		// Compact L0 after 2 tables (default 5) so few tables pile up in
		// L0; the stall threshold must stay strictly above it (Badger
		// asserts this and panics otherwise), default 15 is lowered to 8.
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		// We do not serve expvar, so skip Badger's metrics bookkeeping.
		WithMetricsEnabled(false)
	if len(o.Key) > 0 {
		// Encryption at rest with AES-256 (key length picks the variant).
		bo = bo.WithEncryptionKey(o.Key)
	}

	db, err := badger.Open(bo)
	if err != nil {
		if o.InMemory {
			return nil, fmt.Errorf("open in-memory store: %w", err)
		}
		return nil, fmt.Errorf("open store in %s: %w", o.Dir, err)
	}
	s := &Store{db: db, key: o.Key}
	if o.skipFigures {
		return s, nil
	}
	if err := s.buildFigures(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// Close flushes and closes the database; it exists so the process can shut
// down without losing or corrupting data.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

func draftKey(user string) []byte { return []byte(draftPrefix + user) }

func visitKey(date, id string) []byte { return []byte(visitPrefix + date + "/" + id) }

func visitIDKey(id string) []byte { return []byte(visitIDPrefix + id) }

func seqKey(year string) []byte { return []byte(seqPrefix + year) }

// Draft returns the user's unfinished registration, or an error wrapping
// bot.ErrNotFound when there is none. It exists so a conversation can resume
// after a restart.
func (s *Store) Draft(ctx context.Context, user string) (workflows.Draft, error) {
	var d workflows.Draft
	if err := ctx.Err(); err != nil {
		return d, fmt.Errorf("load draft for %s: %w", user, err)
	}
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(draftKey(user))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return bot.ErrNotFound
		}
		if err != nil {
			return err
		}
		return item.Value(func(val []byte) error {
			return decode(val, &d)
		})
	})
	if err != nil {
		return workflows.Draft{}, fmt.Errorf("load draft for %s: %w", user, err)
	}
	return d, nil
}

// SaveDraft stores the draft durably (synced) in one transaction without
// reading first. It exists because the bot saves after every accepted answer
// and must not acknowledge an answer that a crash could lose.
func (s *Store) SaveDraft(ctx context.Context, d workflows.Draft) error {
	if d.User == "" {
		return errors.New("save draft: empty user id")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("save draft for %s: %w", d.User, err)
	}
	if d.Schema == 0 {
		d.Schema = workflows.SchemaVersion
	}
	val, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("save draft for %s: encode: %w", d.User, err)
	}
	key := draftKey(d.User)
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(key, val)
	}); err != nil {
		return fmt.Errorf("save draft for %s: %w", d.User, err)
	}
	return nil
}

// DeleteDraft removes the user's draft; deleting a missing draft is not an
// error. It exists for cancelled registrations and sweeps of stale drafts.
func (s *Store) DeleteDraft(ctx context.Context, user string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete draft for %s: %w", user, err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Delete(draftKey(user))
	}); err != nil {
		return fmt.Errorf("delete draft for %s: %w", user, err)
	}
	return nil
}

// Drafts lists all stored drafts in user-id order. It exists for sweeps that
// remind users of, or expire, abandoned registrations.
func (s *Store) Drafts(ctx context.Context) iter.Seq2[workflows.Draft, error] {
	return func(yield func(workflows.Draft, error) bool) {
		scan(ctx, s.db, []byte(draftPrefix), []byte(draftPrefix),
			func(string) (bool, bool) { return true, false },
			func(key string, val []byte) (workflows.Draft, error) {
				var d workflows.Draft
				if err := decode(val, &d); err != nil {
					return d, fmt.Errorf("list drafts: draft for %s: %w", strings.TrimPrefix(key, draftPrefix), err)
				}
				return d, nil
			},
			func(err error) error { return fmt.Errorf("list drafts: %w", err) },
			yield)
	}
}

// FinishVisit gives the visit its id ("<year>-<nnnn>", numbered per year of
// the visit date), stores it with its id index and deletes the user's draft,
// all in one synced transaction. It exists so a crash leaves either the draft
// or the visit, never both and never neither.
func (s *Store) FinishVisit(ctx context.Context, user string, v workflows.Visit) (workflows.Visit, error) {
	if len(v.Date) != len(isoDate) {
		return workflows.Visit{}, fmt.Errorf("finish visit for %s: date is not YYYY-MM-DD", user)
	}
	if _, err := time.Parse(isoDate, v.Date); err != nil {
		return workflows.Visit{}, fmt.Errorf("finish visit for %s: date is not a valid YYYY-MM-DD date", user)
	}
	year := v.Date[:4]
	if v.Schema == 0 {
		v.Schema = workflows.SchemaVersion
	}

	s.finishMu.Lock()
	defer s.finishMu.Unlock()

	var saved workflows.Visit
	var err error
	for range finishRetries {
		if err = ctx.Err(); err != nil {
			break
		}
		err = s.db.Update(func(txn *badger.Txn) error {
			n, err := nextSeq(txn, seqKey(year))
			if err != nil {
				return err
			}
			w := v
			w.ID = fmt.Sprintf("%s-%04d", year, n)
			val, err := json.Marshal(w)
			if err != nil {
				return fmt.Errorf("encode visit %s: %w", w.ID, err)
			}
			key := visitKey(w.Date, w.ID)
			if err := txn.Set(key, val); err != nil {
				return err
			}
			if err := txn.Set(visitIDKey(w.ID), key); err != nil {
				return err
			}
			if err := txn.Delete(draftKey(user)); err != nil {
				return err
			}
			figures := newMonthChanges(txn)
			if err := figures.add(w); err != nil {
				return err
			}
			if err := figures.write(); err != nil {
				return err
			}
			saved = w
			return nil
		})
		if !errors.Is(err, badger.ErrConflict) {
			break
		}
	}
	if err != nil {
		return workflows.Visit{}, fmt.Errorf("finish visit for %s: %w", user, err)
	}
	return saved, nil
}

// nextSeq reads, bumps and writes the counter at key, returning the new
// value (1 for the first).
func nextSeq(txn *badger.Txn, key []byte) (uint64, error) {
	var n uint64
	item, err := txn.Get(key)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return 0, fmt.Errorf("read counter %s: %w", key, err)
	default:
		if err := item.Value(func(val []byte) error {
			if len(val) != 8 {
				return fmt.Errorf("counter %s is %d bytes, want 8", key, len(val))
			}
			n = binary.BigEndian.Uint64(val)
			return nil
		}); err != nil {
			return 0, err
		}
	}
	n++
	if err := txn.Set(key, binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return 0, fmt.Errorf("write counter %s: %w", key, err)
	}
	return n, nil
}

// Visit returns the finished visit with the given id, or an error wrapping
// bot.ErrNotFound. It exists for audits and follow-ups that name a visit by
// its readable id.
func (s *Store) Visit(ctx context.Context, id string) (workflows.Visit, error) {
	var v workflows.Visit
	if err := ctx.Err(); err != nil {
		return v, fmt.Errorf("load visit %s: %w", id, err)
	}
	err := s.db.View(func(txn *badger.Txn) error {
		key, err := visitKeyOf(txn, id)
		if err != nil {
			return err
		}
		v, err = visitAt(txn, key)
		return err
	})
	if err != nil {
		return workflows.Visit{}, fmt.Errorf("load visit %s: %w", id, err)
	}
	return v, nil
}

// Visits iterates over the visits dated within [from, to] (inclusive ISO
// dates; empty from means from the first, empty to means to the last) in
// date order, then id order. It exists for exports and reports. Iteration
// stops when the consumer stops or ctx is done (the ctx error is yielded).
func (s *Store) Visits(ctx context.Context, from, to string) iter.Seq2[workflows.Visit, error] {
	return func(yield func(workflows.Visit, error) bool) {
		for _, b := range []struct{ name, val string }{{"from", from}, {"to", to}} {
			if b.val == "" {
				continue
			}
			if _, err := time.Parse(isoDate, b.val); err != nil || len(b.val) != len(isoDate) {
				yield(workflows.Visit{}, fmt.Errorf("list visits: %s %q is not a YYYY-MM-DD date", b.name, b.val))
				return
			}
		}
		d := newScanDecoder()
		scan(ctx, s.db, []byte(visitPrefix), []byte(visitPrefix+from),
			func(key string) (bool, bool) {
				// key is visit/<date>/<id>; Seek already skipped dates < from.
				date, _, ok := strings.Cut(strings.TrimPrefix(key, visitPrefix), "/")
				if !ok {
					return false, false // not a visit key we wrote; skip it
				}
				if to != "" && date > to {
					return false, true
				}
				return true, false
			},
			func(key string, val []byte) (workflows.Visit, error) {
				var v workflows.Visit
				if err := d.decode(val, &v); err != nil {
					return v, fmt.Errorf("list visits: record %s: %w", key, err)
				}
				return v, nil
			},
			func(err error) error { return fmt.Errorf("list visits: %w", err) },
			yield)
	}
}

// scan walks the keys under prefix starting at seek. want decides for each
// key whether to decode it (use) and whether to stop before it (stop).
// Errors from Badger or ctx are wrapped by wrap and yielded once.
func scan[T any](
	ctx context.Context,
	db *badger.DB,
	prefix, seek []byte,
	want func(key string) (use, stop bool),
	dec func(key string, val []byte) (T, error),
	wrap func(error) error,
	yield func(T, error) bool,
) {
	stopped := false
	err := db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		// Every value here is far below Badger's ValueThreshold (1 MiB),
		// so it lies in the key's table block, which the iterator has read
		// already; prefetching would copy each value once more in a
		// goroutine of its own.
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(seek); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			item := it.Item()
			key := string(item.Key())
			use, stop := want(key)
			if stop {
				return nil
			}
			if !use {
				continue
			}
			var rec T
			var decErr error
			if err := item.Value(func(val []byte) error {
				rec, decErr = dec(key, val)
				return nil
			}); err != nil {
				return err
			}
			if !yield(rec, decErr) {
				stopped = true
				return nil
			}
		}
		return nil
	})
	if err != nil && !stopped {
		var zero T
		yield(zero, wrap(err))
	}
}

// decode unmarshals a stored record. encoding/json errors can quote parts of
// the input (an UnmarshalTypeError says e.g. "number 42"), and records hold
// person data, so only the position or the field name is kept.
func decode(val []byte, into any) error {
	err := json.Unmarshal(val, into)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("decode: malformed JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("decode: wrong JSON type for field %q", te.Field)
	}
	return errors.New("decode: malformed record")
}

// slogAdapter routes Badger's log calls to slog: errors and warnings keep
// their level, Badger's info and debug chatter go to Debug.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) log(level slog.Level, format string, args []any) {
	ctx := context.Background()
	if !a.l.Enabled(ctx, level) {
		return
	}
	a.l.Log(ctx, level, strings.TrimRight(fmt.Sprintf(format, args...), "\n"), "component", "badger")
}

func (a slogAdapter) Errorf(format string, args ...any)   { a.log(slog.LevelError, format, args) }
func (a slogAdapter) Warningf(format string, args ...any) { a.log(slog.LevelWarn, format, args) }
func (a slogAdapter) Infof(format string, args ...any)    { a.log(slog.LevelDebug, format, args) }
func (a slogAdapter) Debugf(format string, args ...any)   { a.log(slog.LevelDebug, format, args) }

// visitKeyOf follows the id index to a visit's date-ordered key.
func visitKeyOf(txn *badger.Txn, id string) ([]byte, error) {
	idx, err := txn.Get(visitIDKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, bot.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return idx.ValueCopy(nil)
}
