package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
	"beredskab/workflows"
)

// Crisis runs are kept as:
//
//	crisis/run/<id>     -> JSON workflows.CrisisRun (checklists, timeline, posts)
//	crisis/current      -> the id of the most recently started run
//	seq/crisis/<YYYY>   -> the last running number of that year's runs
//
// Run ids are "<YYYY>-K<nn>", e.g. "2026-K01".
const (
	crisisPrefix  = "crisis/run/"
	currentCrisis = "crisis/current"
	crisisSeq     = "seq/crisis/"
	// crisisRetries bounds the retries of a crisis transaction on conflict.
	// Every retry re-reads the run, so concurrent changes all land.
	crisisRetries = 100
)

var _ bot.CrisisStore = (*Store)(nil)

func crisisKey(id string) []byte { return []byte(crisisPrefix + id) }

// retry runs fn in a fresh read-write transaction until it commits without
// a conflict.
func (s *Store) retry(ctx context.Context, fn func(txn *badger.Txn) error) error {
	var err error
	for range crisisRetries {
		if err = ctx.Err(); err != nil {
			return err
		}
		err = s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
	}
	return err
}

func getRun(txn *badger.Txn, id string) (workflows.CrisisRun, error) {
	var r workflows.CrisisRun
	item, err := txn.Get(crisisKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return r, bot.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	err = item.Value(func(val []byte) error { return decode(val, &r) })
	return r, err
}

func putRun(txn *badger.Txn, r workflows.CrisisRun) error {
	if r.Schema == 0 {
		r.Schema = workflows.SchemaVersion
	}
	val, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode crisis %s: %w", r.ID, err)
	}
	return txn.Set(crisisKey(r.ID), val)
}

func currentID(txn *badger.Txn) (string, error) {
	item, err := txn.Get([]byte(currentCrisis))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", bot.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	v, err := item.ValueCopy(nil)
	return string(v), err
}

// StartCrisis stores a new run as the current one, unless a run is in force.
func (s *Store) StartCrisis(ctx context.Context, year int, start func(id string) (workflows.CrisisRun, error)) (workflows.CrisisRun, error) {
	var out workflows.CrisisRun
	err := s.retry(ctx, func(txn *badger.Txn) error {
		if id, err := currentID(txn); err == nil {
			cur, err := getRun(txn, id)
			if err != nil {
				return fmt.Errorf("read current crisis %s: %w", id, err)
			}
			if cur.InForce() {
				out = cur
				return bot.ErrCrisisInForce
			}
		} else if !errors.Is(err, bot.ErrNotFound) {
			return err
		}
		n, err := nextSeq(txn, []byte(fmt.Sprintf("%s%d", crisisSeq, year)))
		if err != nil {
			return err
		}
		r, err := start(fmt.Sprintf("%d-K%02d", year, n))
		if err != nil {
			return err
		}
		if err := putRun(txn, r); err != nil {
			return err
		}
		out = r
		return txn.Set([]byte(currentCrisis), []byte(r.ID))
	})
	if err != nil {
		return out, fmt.Errorf("start crisis: %w", err)
	}
	return out, nil
}

// UpdateCrisis applies change to the run in a transaction retried on
// conflict: change sees the latest stored run every time.
func (s *Store) UpdateCrisis(ctx context.Context, id string, change func(*workflows.CrisisRun) error) (workflows.CrisisRun, error) {
	var out workflows.CrisisRun
	err := s.retry(ctx, func(txn *badger.Txn) error {
		r, err := getRun(txn, id)
		if err != nil {
			return err
		}
		if err := change(&r); err != nil {
			return err
		}
		if err := putRun(txn, r); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("update crisis %s: %w", id, err)
	}
	return out, nil
}

// CurrentCrisis returns the most recently started run.
func (s *Store) CurrentCrisis(ctx context.Context) (workflows.CrisisRun, error) {
	var out workflows.CrisisRun
	err := s.db.View(func(txn *badger.Txn) error {
		id, err := currentID(txn)
		if err != nil {
			return err
		}
		out, err = getRun(txn, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("load current crisis: %w", err)
	}
	return out, nil
}

// Crisis returns one run by id.
func (s *Store) Crisis(ctx context.Context, id string) (workflows.CrisisRun, error) {
	var out workflows.CrisisRun
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		out, err = getRun(txn, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("load crisis %s: %w", id, err)
	}
	return out, nil
}

// Crises lists every run, oldest first.
func (s *Store) Crises(ctx context.Context) iter.Seq2[workflows.CrisisRun, error] {
	return func(yield func(workflows.CrisisRun, error) bool) {
		scan(ctx, s.db, []byte(crisisPrefix), []byte(crisisPrefix),
			func(string) (bool, bool) { return true, false },
			func(key string, val []byte) (workflows.CrisisRun, error) {
				var r workflows.CrisisRun
				if err := decode(val, &r); err != nil {
					return r, fmt.Errorf("list crises: %s: %w", strings.TrimPrefix(key, crisisPrefix), err)
				}
				return r, nil
			},
			func(err error) error { return fmt.Errorf("list crises: %w", err) },
			yield)
	}
}
