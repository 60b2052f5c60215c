// Package signature checks the HMAC-SHA256 signatures Pine Labs Online puts on payment callbacks; webhooks are verified by [github.com/pinegen/pinelabs/pkg/webhook].
// It imports only the standard library, so a merchant service can verify them without pulling in the API client.
package signature
