// Package webhook verifies the signed webhooks Pine Labs Online posts to a merchant and decodes their typed events.
// It imports only the standard library, so a merchant service can verify them without pulling in the API client.
package webhook
