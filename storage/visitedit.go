package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
	"beredskab/records"
	"beredskab/workflows"
)

// Deleted visits leave a tombstone without person data:
//
//	deleted/<id> -> JSON bot.DeletedVisit
const deletedPrefix = "deleted/"

// UpdateVisit stores a changed visit under its id (moving it when its date
// changed), moves its figures from what the old visit counted for to what
// the new one counts for (records.Counted) and deletes the editor's draft,
// in one synced transaction.
func (s *Store) UpdateVisit(ctx context.Context, user string, v workflows.Visit) (workflows.Visit, error) {
	if v.ID == "" || len(v.Date) != len(isoDate) {
		return v, fmt.Errorf("update visit %q: no id or no date", v.ID)
	}
	if _, err := time.Parse(isoDate, v.Date); err != nil {
		return v, fmt.Errorf("update visit %s: date is not YYYY-MM-DD", v.ID)
	}
	err := s.retry(ctx, func(txn *badger.Txn) error {
		oldKey, err := visitKeyOf(txn, v.ID)
		if err != nil {
			return err
		}
		if v.Schema == 0 {
			v.Schema = workflows.SchemaVersion
		}
		old, err := visitAt(txn, oldKey)
		if err != nil {
			return err
		}
		// A visit retention has stripped stays flagged whatever the edit
		// brings (an edit flow keeps only its own flags, and a draft opened
		// before retention still holds the persons): its persons are counted
		// in the kept figures already, and person data an edit puts back is
		// deleted again by the next retention run.
		if slices.Contains(old.Flags, records.FlagPersonDataDeleted) && !slices.Contains(v.Flags, records.FlagPersonDataDeleted) {
			v.Flags = append(slices.Clone(v.Flags), records.FlagPersonDataDeleted)
		}
		val, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode visit %s: %w", v.ID, err)
		}
		figures := newMonthChanges(txn)
		if err := figures.remove(old); err != nil {
			return err
		}
		if err := figures.add(v); err != nil {
			return err
		}
		if err := figures.write(); err != nil {
			return err
		}
		key := visitKey(v.Date, v.ID)
		if string(oldKey) != string(key) {
			if err := txn.Delete(oldKey); err != nil {
				return err
			}
		}
		if err := txn.Set(key, val); err != nil {
			return err
		}
		if err := txn.Set(visitIDKey(v.ID), key); err != nil {
			return err
		}
		return txn.Delete(draftKey(user))
	})
	if err != nil {
		return v, fmt.Errorf("update visit %s: %w", v.ID, err)
	}
	return v, nil
}

// DeleteVisit removes a visit and what it counted for in its month's
// figures, and leaves its tombstone (who, when, why). The persons of a visit
// whose person data retention deleted stay counted: they are no longer
// known.
func (s *Store) DeleteVisit(ctx context.Context, t bot.DeletedVisit) error {
	err := s.retry(ctx, func(txn *badger.Txn) error {
		key, err := visitKeyOf(txn, t.ID)
		if err != nil {
			return err
		}
		val, err := json.Marshal(t)
		if err != nil {
			return err
		}
		old, err := visitAt(txn, key)
		if err != nil {
			return err
		}
		figures := newMonthChanges(txn)
		if err := figures.remove(old); err != nil {
			return err
		}
		if err := figures.write(); err != nil {
			return err
		}
		if err := txn.Delete(key); err != nil {
			return err
		}
		if err := txn.Delete(visitIDKey(t.ID)); err != nil {
			return err
		}
		return txn.Set([]byte(deletedPrefix+t.ID), val)
	})
	if err != nil {
		return fmt.Errorf("delete visit %s: %w", t.ID, err)
	}
	return nil
}

// visitAt reads the visit stored under key.
func visitAt(txn *badger.Txn, key []byte) (workflows.Visit, error) {
	var v workflows.Visit
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		// The index and the visit are written together; a dangling
		// index means the database was damaged.
		return v, fmt.Errorf("index points to missing record: %w", bot.ErrNotFound)
	}
	if err != nil {
		return v, err
	}
	if err := item.Value(func(val []byte) error { return decodeVisit(val, &v) }); err != nil {
		return v, fmt.Errorf("record %s: %w", key, err)
	}
	return v, nil
}
