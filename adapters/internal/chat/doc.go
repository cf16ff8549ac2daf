// Package chat holds what every chat adapter needs between the platform
// and the bot: an inbox that works on acknowledged deliveries in each
// user's order, a memory of delivery ids that drops a platform's retries,
// an outbox that paces and retries calls to the platform's API, the
// directory of the bot's direct channels, and text cut to a platform's
// limits. It knows no platform: the adapter says which failures are worth
// a retry and how a direct channel is opened.
package chat
