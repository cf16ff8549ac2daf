package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"beredskab/bot"
)

// settingPrefix keeps small facts: meta/<key> -> value.
const settingPrefix = "meta/"

var _ bot.SettingStore = (*Store)(nil)

// Setting returns a stored fact, or an error wrapping bot.ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var out string
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(settingPrefix + key))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return bot.ErrNotFound
		}
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		out = string(v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("load setting %s: %w", key, err)
	}
	return out, nil
}

// SetSetting stores a fact durably.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte(settingPrefix+key), []byte(value))
	}); err != nil {
		return fmt.Errorf("save setting %s: %w", key, err)
	}
	return nil
}
