package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskab/reminders"
)

// Reminders are kept as:
//
//	reminder/<id>           -> JSON reminders.Reminder (ids are running numbers)
//	reminder-dedupe/<key>   -> the id of the one reminder with that Dedupe
//	delivery/<key>          -> when the delivery with that idempotency key was recorded
//	seq/reminder            -> the last reminder number
const (
	reminderPrefix = "reminder/"
	dedupePrefix   = "reminder-dedupe/"
	deliveryPrefix = "delivery/"
	reminderSeq    = "seq/reminder"
)

var _ reminders.Store = (*Store)(nil)

func reminderKey(id string) []byte { return []byte(reminderPrefix + id) }

func getReminder(txn *badger.Txn, id string) (reminders.Reminder, error) {
	var r reminders.Reminder
	item, err := txn.Get(reminderKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return r, fmt.Errorf("%w: %s", reminders.ErrNotFound, id)
	}
	if err != nil {
		return r, err
	}
	err = item.Value(func(val []byte) error { return decode(val, &r) })
	return r, err
}

func putReminder(txn *badger.Txn, r reminders.Reminder) error {
	if r.Schema == 0 {
		r.Schema = 1
	}
	val, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode reminder %s: %w", r.ID, err)
	}
	return txn.Set(reminderKey(r.ID), val)
}

// addReminder stores a new reminder within txn, unless its Dedupe is taken.
func addReminder(txn *badger.Txn, r reminders.Reminder) (reminders.Reminder, error) {
	if r.Dedupe != "" {
		item, err := txn.Get([]byte(dedupePrefix + r.Dedupe))
		if err == nil {
			id, err := item.ValueCopy(nil)
			if err != nil {
				return r, err
			}
			existing, err := getReminder(txn, string(id))
			if err != nil {
				return r, err
			}
			return existing, reminders.ErrExists
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return r, err
		}
	}
	n, err := nextSeq(txn, []byte(reminderSeq))
	if err != nil {
		return r, err
	}
	r.ID = strconv.FormatUint(n, 10)
	if err := putReminder(txn, r); err != nil {
		return r, err
	}
	if r.Dedupe != "" {
		if err := txn.Set([]byte(dedupePrefix+r.Dedupe), []byte(r.ID)); err != nil {
			return r, err
		}
	}
	return r, nil
}

// AddReminder gives the reminder the next number and stores it; a reminder
// whose Dedupe is taken is not stored, and the existing one is returned
// with reminders.ErrExists.
func (s *Store) AddReminder(ctx context.Context, r reminders.Reminder) (reminders.Reminder, error) {
	var out reminders.Reminder
	err := s.retry(ctx, func(txn *badger.Txn) error {
		var err error
		out, err = addReminder(txn, r)
		return err
	})
	if errors.Is(err, reminders.ErrExists) {
		return out, fmt.Errorf("add reminder %s: %w", r.Dedupe, err)
	}
	if err != nil {
		return out, fmt.Errorf("add reminder: %w", err)
	}
	return out, nil
}

// Reminder returns one reminder.
func (s *Store) Reminder(ctx context.Context, id string) (reminders.Reminder, error) {
	var out reminders.Reminder
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		out, err = getReminder(txn, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("load reminder %s: %w", id, err)
	}
	return out, nil
}

// Reminders lists every reminder.
func (s *Store) Reminders(ctx context.Context) iter.Seq2[reminders.Reminder, error] {
	return func(yield func(reminders.Reminder, error) bool) {
		scan(ctx, s.db, []byte(reminderPrefix), []byte(reminderPrefix),
			func(string) (bool, bool) { return true, false },
			func(key string, val []byte) (reminders.Reminder, error) {
				var r reminders.Reminder
				if err := decode(val, &r); err != nil {
					return r, fmt.Errorf("list reminders: %s: %w", strings.TrimPrefix(key, reminderPrefix), err)
				}
				return r, nil
			},
			func(err error) error { return fmt.Errorf("list reminders: %w", err) },
			yield)
	}
}

// UpdateReminder applies change in a transaction retried on conflict.
func (s *Store) UpdateReminder(ctx context.Context, id string, change func(*reminders.Reminder) error) (reminders.Reminder, error) {
	var out reminders.Reminder
	err := s.retry(ctx, func(txn *badger.Txn) error {
		r, err := getReminder(txn, id)
		if err != nil {
			return err
		}
		if err := change(&r); err != nil {
			return err
		}
		out = r
		return putReminder(txn, r)
	})
	if err != nil {
		return out, fmt.Errorf("update reminder %s: %w", id, err)
	}
	return out, nil
}

// RecordDelivery marks the delivery with key done and stores the reminders
// that follow from it, in one transaction. A key recorded before, or a
// reminder no longer being sent, changes nothing.
func (s *Store) RecordDelivery(ctx context.Context, id, key string, at time.Time, next []reminders.Reminder) ([]reminders.Reminder, error) {
	var added []reminders.Reminder
	err := s.retry(ctx, func(txn *badger.Txn) error {
		added = nil
		if _, err := txn.Get([]byte(deliveryPrefix + key)); err == nil {
			return nil
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		r, err := getReminder(txn, id)
		if err != nil {
			return err
		}
		if r.State != reminders.Sending || r.Key() != key {
			return nil
		}
		r.State, r.DeliveredAt, r.Deliveries = reminders.Delivered, at, r.Deliveries+1
		r.Attempts, r.NextAttempt, r.LastError = 0, time.Time{}, ""
		if err := putReminder(txn, r); err != nil {
			return err
		}
		if err := txn.Set([]byte(deliveryPrefix+key), []byte(at.UTC().Format(time.RFC3339Nano))); err != nil {
			return err
		}
		for _, n := range next {
			n.State, n.Created = reminders.Pending, at
			stored, err := addReminder(txn, n)
			if errors.Is(err, reminders.ErrExists) {
				continue
			}
			if err != nil {
				return err
			}
			added = append(added, stored)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record delivery %s: %w", key, err)
	}
	return added, nil
}
