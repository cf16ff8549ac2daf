package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
	"beredskab/records"
	"beredskab/workflows"
)

// Month figures keys:
//
//	figures/<YYYY-MM>    -> JSON monthRecord: the month's figures, changed
//	                        in the transaction that saves, edits, deletes or
//	                        retains a visit of the month
//	meta/figures-version -> figuresVersion once the figures were built
//
// A month's figures are the sum of records.Counted over its visits plus the
// persons of the visits whose person data retention deleted. Stores written
// before the figures existed kept aggregate/<YYYY-MM> records for retained
// months only; Open builds the figures from those and the visits once.
const (
	figuresPrefix   = "figures/"
	aggregatePrefix = "aggregate/"

	figuresSetting = "figures-version"
	figuresVersion = "1"

	// figuresBatch is how many months one transaction of the build writes,
	// well inside Badger's transaction limit.
	figuresBatch = 256
)

// The statistics read the stored figures.
var _ bot.FigureStore = (*Store)(nil)

// monthRecord is one month's stored figures.
type monthRecord struct {
	Figures records.MonthFigures `json:"figures"`
	// PersonDataDeleted says retention deleted the person data of visits
	// of the month: the report notes that its persons come from the kept
	// figures.
	PersonDataDeleted bool `json:"person_data_deleted,omitempty"`
}

func figuresKey(month string) []byte { return []byte(figuresPrefix + month) }

// monthChanges gathers what one transaction does to month figures, so each
// month is read and written once. Without a transaction (the build) the
// months start from zero.
type monthChanges struct {
	txn    *badger.Txn
	months map[string]*monthRecord
}

func newMonthChanges(txn *badger.Txn) *monthChanges {
	return &monthChanges{txn: txn, months: map[string]*monthRecord{}}
}

func (c *monthChanges) month(m string) (*monthRecord, error) {
	if r, ok := c.months[m]; ok {
		return r, nil
	}
	r := &monthRecord{Figures: records.MonthFigures{Month: m}}
	if c.txn != nil {
		item, err := c.txn.Get(figuresKey(m))
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return nil, fmt.Errorf("read figures of %s: %w", m, err)
		default:
			if err := item.Value(func(val []byte) error { return decode(val, r) }); err != nil {
				return nil, fmt.Errorf("read figures of %s: %w", m, err)
			}
		}
	}
	c.months[m] = r
	return r, nil
}

// add counts a visit that is being stored into its month.
func (c *monthChanges) add(v workflows.Visit) error {
	r, err := c.month(records.MonthOf(v))
	if err != nil {
		return err
	}
	r.Figures.Merge(records.Counted(v))
	return nil
}

// remove takes a stored visit that is being replaced or deleted out of its
// month.
func (c *monthChanges) remove(v workflows.Visit) error {
	r, err := c.month(records.MonthOf(v))
	if err != nil {
		return err
	}
	r.Figures.Sub(records.Counted(v))
	return nil
}

// retain replaces v by stripped, v without its person data (retention):
// the persons v was counted with stay in the month's figures.
func (c *monthChanges) retain(v, stripped workflows.Visit) error {
	if err := c.remove(v); err != nil {
		return err
	}
	if err := c.add(stripped); err != nil {
		return err
	}
	r, err := c.month(records.MonthOf(v))
	if err != nil {
		return err
	}
	if !slices.Contains(v.Flags, records.FlagPersonDataDeleted) {
		r.Figures.Merge(records.Count([]workflows.Visit{v}).PersonFigures())
	}
	r.PersonDataDeleted = true
	return nil
}

// write stores the changed months in the transaction; a month back at zero
// (its visits deleted, nothing retained) is removed.
func (c *monthChanges) write() error {
	for m, r := range c.months {
		if err := writeMonth(c.txn, m, r); err != nil {
			return err
		}
	}
	return nil
}

func writeMonth(txn *badger.Txn, m string, r *monthRecord) error {
	if !r.PersonDataDeleted && reflect.DeepEqual(r.Figures, records.MonthFigures{Month: m}) {
		if err := txn.Delete(figuresKey(m)); err != nil {
			return fmt.Errorf("delete figures of %s: %w", m, err)
		}
		return nil
	}
	val, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode figures of %s: %w", m, err)
	}
	if err := txn.Set(figuresKey(m), val); err != nil {
		return fmt.Errorf("write figures of %s: %w", m, err)
	}
	return nil
}

// MonthFigures lists the stored figures of the months fromMonth to toMonth
// ("YYYY-MM", inclusive; empty means unbounded) in month order, leaving out
// months without visits, and names the months among them whose person data
// retention deleted. It exists so the statistics read a few hundred small
// records rather than every visit.
func (s *Store) MonthFigures(ctx context.Context, fromMonth, toMonth string) ([]records.MonthFigures, []string, error) {
	var (
		figs []records.MonthFigures
		kept []string
	)
	for r, err := range s.months(ctx, fromMonth, toMonth) {
		if err != nil {
			return nil, nil, err
		}
		figs = append(figs, r.Figures)
		if r.PersonDataDeleted {
			kept = append(kept, r.Figures.Month)
		}
	}
	return figs, kept, nil
}

// Aggregates returns the stored figures of the months fromMonth to toMonth
// ("YYYY-MM", inclusive; empty means unbounded) whose person data retention
// deleted, in month order. It exists for retention's checks: those
// figures still count the persons the visits no longer hold.
func (s *Store) Aggregates(ctx context.Context, fromMonth, toMonth string) ([]records.MonthFigures, error) {
	var out []records.MonthFigures
	for r, err := range s.months(ctx, fromMonth, toMonth) {
		if err != nil {
			return nil, err
		}
		if r.PersonDataDeleted {
			out = append(out, r.Figures)
		}
	}
	return out, nil
}

func (s *Store) months(ctx context.Context, fromMonth, toMonth string) func(func(monthRecord, error) bool) {
	return func(yield func(monthRecord, error) bool) {
		scan(ctx, s.db, []byte(figuresPrefix), figuresKey(fromMonth),
			func(key string) (bool, bool) {
				return true, toMonth != "" && strings.TrimPrefix(key, figuresPrefix) > toMonth
			},
			func(key string, val []byte) (monthRecord, error) {
				var r monthRecord
				if err := decode(val, &r); err != nil {
					return r, fmt.Errorf("list month figures: record %s: %w", key, err)
				}
				return r, nil
			},
			func(err error) error { return fmt.Errorf("list month figures: %w", err) },
			yield)
	}
}

// buildFigures makes the month figures of a store written before they
// existed, once: the persons of each retained month from its old aggregate
// record (the visits no longer hold them), and records.Counted of every
// visit, which also puts right the Skema 1 figures of visits edited after
// retention (the old aggregates kept their values from before the edit).
// The months are written in batches, then the version marker and the
// removal of the old aggregates in one last transaction: a crash before it
// leaves the old records, and the next Open builds again.
func (s *Store) buildFigures(ctx context.Context) error {
	if v, err := s.Setting(ctx, figuresSetting); err == nil && v == figuresVersion {
		return nil
	} else if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("build month figures: %w", err)
	}
	c := newMonthChanges(nil)
	var oldAggregates [][]byte
	var err error
	scan(ctx, s.db, []byte(aggregatePrefix), []byte(aggregatePrefix),
		func(string) (bool, bool) { return true, false },
		func(key string, val []byte) (records.MonthFigures, error) {
			var f records.MonthFigures
			if err := decode(val, &f); err != nil {
				return f, fmt.Errorf("record %s: %w", key, err)
			}
			oldAggregates = append(oldAggregates, []byte(key))
			return f, nil
		},
		func(e error) error { return e },
		func(f records.MonthFigures, e error) bool {
			if err = e; err != nil {
				return false
			}
			var r *monthRecord
			if r, err = c.month(f.Month); err != nil {
				return false
			}
			r.Figures.Merge(f.PersonFigures())
			r.PersonDataDeleted = true
			return true
		})
	if err != nil {
		return fmt.Errorf("build month figures: old aggregates: %w", err)
	}
	for v, err := range s.Visits(ctx, "", "") {
		if err != nil {
			return fmt.Errorf("build month figures: %w", err)
		}
		if err := c.add(v); err != nil {
			return fmt.Errorf("build month figures: %w", err)
		}
	}
	// Figures left by a build that did not finish, of months that no
	// longer have visits, go.
	var stale []string
	for r, err := range s.months(ctx, "", "") {
		if err != nil {
			return fmt.Errorf("build month figures: %w", err)
		}
		if _, ok := c.months[r.Figures.Month]; !ok {
			stale = append(stale, r.Figures.Month)
		}
	}
	for _, m := range stale {
		c.months[m] = &monthRecord{Figures: records.MonthFigures{Month: m}}
	}
	months := slices.Sorted(maps.Keys(c.months))
	for chunk := range slices.Chunk(months, figuresBatch) {
		if err := s.db.Update(func(txn *badger.Txn) error {
			for _, m := range chunk {
				if err := writeMonth(txn, m, c.months[m]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("build month figures: %w", err)
		}
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		for _, k := range oldAggregates {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Set([]byte(settingPrefix+figuresSetting), []byte(figuresVersion))
	}); err != nil {
		return fmt.Errorf("build month figures: mark them built: %w", err)
	}
	return nil
}
