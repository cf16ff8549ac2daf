// Package queue holds what every chat adapter needs between the platform
// and the bot: an inbox that works on acknowledged deliveries in each
// user's order, a memory of delivery ids that drops a platform's retries,
// and an outbox that paces and retries calls to the platform's API. It
// knows no platform: the adapter says which failures are worth a retry.
package queue
