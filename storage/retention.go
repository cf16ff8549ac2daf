package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
	"beredskab/records"
	"beredskab/workflows"
)

// monthLayout is a calendar month, "YYYY-MM".
const monthLayout = "2006-01"

// keptVisitText are the free-text answers of Skema 1 that retention keeps:
// who filled the form in, for which organisation, and the clinic's address
// (a place, not a person). Every other free-text answer (remarks, reason
// details, the "other – what?" answers, who and why it was discussed with)
// and every Skema 2 block is person data and is deleted.
var keptVisitText = []string{"filled_by", "organisation", "address"}

// RetentionMonth is one calendar month whose visits still hold person data
// that retention deletes: the month and the visit ids, never their content.
type RetentionMonth struct {
	Month  string
	Visits []string
	// Deleted are deleted visits of the month whose tombstone still holds
	// the free-text reason for the deletion, which may name a person.
	Deleted []string
}

// PersonDataBefore lists, month by month, the visits dated before the month
// before ("YYYY-MM") that still hold person data. It is retention's dry
// run: what DeletePersonData(ctx, before) would delete.
func (s *Store) PersonDataBefore(ctx context.Context, before string) ([]RetentionMonth, error) {
	if _, err := time.Parse(monthLayout, before); err != nil || len(before) != len(monthLayout) {
		return nil, fmt.Errorf("list person data: %q is not a YYYY-MM month", before)
	}
	var out []RetentionMonth
	for v, err := range s.Visits(ctx, "", "") {
		if err != nil {
			return nil, fmt.Errorf("list person data before %s: %w", before, err)
		}
		m := records.MonthOf(v)
		if m >= before {
			break // date order: the rest is newer
		}
		if !holdsPersonData(v) {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Month != m {
			out = append(out, RetentionMonth{Month: m})
		}
		out[len(out)-1].Visits = append(out[len(out)-1].Visits, v.ID)
	}
	var deleted []RetentionMonth
	for t, err := range s.tombstones(ctx) {
		if err != nil {
			return nil, fmt.Errorf("list person data before %s: %w", before, err)
		}
		if m := t.Date[:min(7, len(t.Date))]; m < before && t.Reason != "" {
			deleted = append(deleted, RetentionMonth{Month: m, Deleted: []string{t.ID}})
		}
	}
	// Merge the tombstones into the months, in month order.
	for _, d := range deleted {
		i, found := slices.BinarySearchFunc(out, d.Month, func(m RetentionMonth, month string) int { return strings.Compare(m.Month, month) })
		if !found {
			out = slices.Insert(out, i, RetentionMonth{Month: d.Month})
		}
		out[i].Deleted = append(out[i].Deleted, d.Deleted...)
	}
	return out, nil
}

// tombstones lists the deleted visits' tombstones.
func (s *Store) tombstones(ctx context.Context) iter.Seq2[bot.DeletedVisit, error] {
	return func(yield func(bot.DeletedVisit, error) bool) {
		scan(ctx, s.db, []byte(deletedPrefix), []byte(deletedPrefix),
			func(string) (bool, bool) { return true, false },
			func(key string, val []byte) (bot.DeletedVisit, error) {
				var t bot.DeletedVisit
				if err := decode(val, &t); err != nil {
					return t, fmt.Errorf("record %s: %w", key, err)
				}
				return t, nil
			},
			func(err error) error { return fmt.Errorf("list deleted visits: %w", err) },
			yield)
	}
}

// clearReasons empties the deletion reasons of the tombstones of ids.
func (s *Store) clearReasons(ids []string) error {
	return s.db.Update(func(txn *badger.Txn) error {
		for _, id := range ids {
			item, err := txn.Get([]byte(deletedPrefix + id))
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			var t bot.DeletedVisit
			if err := item.Value(func(val []byte) error { return decode(val, &t) }); err != nil {
				return fmt.Errorf("deleted visit %s: %w", id, err)
			}
			t.Reason = ""
			val, err := json.Marshal(t)
			if err != nil {
				return err
			}
			if err := txn.Set([]byte(deletedPrefix+id), val); err != nil {
				return err
			}
		}
		return nil
	})
}

// retentionBatch is how many visits one transaction changes, well inside
// Badger's transaction limit (15% of the 8 MiB memtable) for visits of a
// few kilobytes.
const retentionBatch = 200

// DeletePersonData deletes the person data of every visit dated before the
// month before ("YYYY-MM"): the Skema 2 blocks, the free-text answers other
// than keptVisitText, and the old and new values of their edit history.
// Each transaction (a month, or retentionBatch visits of it) stores the
// visits without their person data, flagged records.FlagPersonDataDeleted,
// and keeps the persons they were counted with in the month's figures, so
// the statistics still answer: a crash leaves every visit either stripped
// with its persons kept or untouched. A flagged visit's persons are kept
// once; if an edit gave it person data again, that is stripped without
// counting it again (records.Counted). The reasons given for deleting visits of those months
// are emptied in their tombstones. It can run again at any time, and
// returns what it deleted.
func (s *Store) DeletePersonData(ctx context.Context, before string) ([]RetentionMonth, error) {
	plan, err := s.PersonDataBefore(ctx, before)
	if err != nil {
		return nil, err
	}
	done := make([]RetentionMonth, 0, len(plan))
	for _, m := range plan {
		got := RetentionMonth{Month: m.Month}
		if len(m.Deleted) > 0 {
			for range finishRetries {
				if err = s.clearReasons(m.Deleted); !errors.Is(err, badger.ErrConflict) {
					break
				}
			}
			if err != nil {
				return done, fmt.Errorf("delete the deletion reasons of %s: %w", m.Month, err)
			}
			got.Deleted = m.Deleted
		}
		for len(m.Visits) > 0 {
			var ids []string
			for range finishRetries {
				if err = ctx.Err(); err != nil {
					break
				}
				ids, err = s.deleteBatch(m.Month)
				if !errors.Is(err, badger.ErrConflict) {
					break
				}
			}
			if err != nil {
				if len(got.Visits)+len(got.Deleted) > 0 {
					done = append(done, got)
				}
				return done, fmt.Errorf("delete person data of %s: %w", m.Month, err)
			}
			got.Visits = append(got.Visits, ids...)
			if len(ids) < retentionBatch {
				break
			}
		}
		if len(got.Visits)+len(got.Deleted) > 0 {
			done = append(done, got)
		}
	}
	return done, nil
}

// deleteBatch strips up to retentionBatch visits of the month that hold
// person data, in one transaction with the month's figures, which keep the
// persons the visits were counted with.
func (s *Store) deleteBatch(month string) ([]string, error) {
	var ids []string
	err := s.db.Update(func(txn *badger.Txn) error {
		ids = ids[:0]
		figures := newMonthChanges(txn)
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(visitPrefix + month + "-")
		it := txn.NewIterator(opts)
		defer it.Close()
		type update struct{ key, val []byte }
		var updates []update
		for it.Rewind(); it.Valid() && len(updates) < retentionBatch; it.Next() {
			item := it.Item()
			var v workflows.Visit
			if err := item.Value(func(val []byte) error { return decodeVisit(val, &v) }); err != nil {
				return fmt.Errorf("record %s: %w", item.Key(), err)
			}
			if !holdsPersonData(v) {
				continue
			}
			stripped := withoutPersonData(v)
			if err := figures.retain(v, stripped); err != nil {
				return err
			}
			val, err := json.Marshal(stripped)
			if err != nil {
				return fmt.Errorf("encode visit %s: %w", v.ID, err)
			}
			updates = append(updates, update{item.KeyCopy(nil), val})
			ids = append(ids, v.ID)
		}
		for _, u := range updates {
			if err := txn.Set(u.key, u.val); err != nil {
				return err
			}
		}
		return figures.write()
	})
	return ids, err
}

// withoutPersonData is the visit as retention keeps it: Skema 1's choices,
// numbers and dates, the kept free-text answers, no Skema 2 blocks, and an
// edit history that says which answer changed, when and by whom, without
// the old and new values of deleted answers.
func withoutPersonData(v workflows.Visit) workflows.Visit {
	form := workflows.VisitForm()
	keep := func(field string) bool {
		q, ok := form.Question(field)
		return ok && (q.Kind != workflows.FreeText || slices.Contains(keptVisitText, field))
	}
	fields := make(workflows.Answers, len(v.Fields))
	for id, a := range v.Fields {
		if keep(id) {
			fields[id] = a
		}
	}
	v.Fields = fields
	v.Persons = nil
	changes := make([]workflows.Change, len(v.Changes))
	for i, c := range v.Changes {
		if strings.HasPrefix(c.Field, "persons") || !keep(c.Field) {
			c.Old, c.New = workflows.Answer{}, workflows.Answer{}
		}
		changes[i] = c
	}
	if len(changes) == 0 {
		changes = nil
	}
	v.Changes = changes
	if !slices.Contains(v.Flags, records.FlagPersonDataDeleted) {
		v.Flags = append(slices.Clone(v.Flags), records.FlagPersonDataDeleted)
	}
	return v
}

// holdsPersonData says whether retention has anything to do for v: it was
// never stripped, or an edit gave it person data again.
func holdsPersonData(v workflows.Visit) bool {
	if !slices.Contains(v.Flags, records.FlagPersonDataDeleted) {
		return true
	}
	return !reflect.DeepEqual(withoutPersonData(v), v)
}
