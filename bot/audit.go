package bot

import "context"

// audit appends an entry for the request to the audit log, when there is
// one. A failed append is logged (never silently dropped) but does not undo
// or fail the action, which has already happened. detail must hold no
// person data.
func (b *Bot) audit(ctx context.Context, req Request, action, object, detail string) {
	if b.opt.Audit == nil {
		return
	}
	e := AuditEntry{At: b.opt.Clock.Now(), Who: req.User, Platform: b.opt.Platform, Action: action, Object: object, Detail: detail}
	if err := b.opt.Audit.Append(ctx, e); err != nil {
		b.log.Error("audit entry not written", "action", action, "object", object, "by", req.User, "err", err)
	}
}
