package sandbox

import "github.com/pinegen/pinelabs/gen/pinelabs"

// The sandbox's test data. The README's table lists the same values; a
// test holds the two together.

// OTP is the one-time password the challenge page accepts. Any other value
// is a wrong OTP: the order becomes ATTEMPTED and the customer may try
// again until MaxOTPAttempts have failed, when it becomes FAILED. A
// challenge answered without an otp field (as DESIGN's protocol does) is
// taken as the right one.
const OTP = "123456"

// MaxOTPAttempts is how many wrong OTPs fail an order; the order's
// payment_retries_remaining counts down from it.
const MaxOTPAttempts = 3

// A TestCard is a card number with a fixed outcome.
type TestCard struct {
	Number string
	// Decline is the error code the issuer answers after the challenge
	// is approved; empty for a card that is authorised.
	Decline pinelabs.ErrorCode
	What    string
}

// TestCards are the cards with a known outcome. Any other card number that
// passes validation is authorised.
var TestCards = []TestCard{
	{Number: "4012001037141112", What: "authorised (the docs' test card)"},
	{Number: "5200000000001096", What: "authorised (Mastercard)"},
	{Number: "4000000000000002", Decline: "PAYMENT_DECLINED", What: "declined by the issuer"},
	{Number: "4000000000009995", Decline: "INSUFFICIENT_FUNDS", What: "declined: insufficient funds"},
	{Number: "4000000000000069", Decline: "CARD_EXPIRED", What: "declined: card expired"},
}

// A PointsCard is a card with a known reward-point balance, in paisa.
type PointsCard struct {
	Number string
	// Balance is the points' full value; Redeemable is what may be spent
	// on one order.
	Balance, Redeemable, Points int64
	What                        string
}

// PointsCards are the cards with reward points. Any other card has none
// and is not eligible.
var PointsCards = []PointsCard{
	{Number: "4012001037141112", Balance: 23718050, Redeemable: 3500, Points: 140, What: "the docs' sample: ₹35.00 redeemable"},
	{Number: "4111111111111111", Balance: 5000000, Redeemable: 500000, Points: 20000, What: "₹5,000.00 redeemable"},
	{Number: "4000000000000010", Balance: 0, Redeemable: 0, Points: 0, What: "no points: not eligible"},
}

// A PayLaterMobile is a customer's mobile number with a known Pay Later
// answer.
type PayLaterMobile struct {
	Mobile   string
	Eligible bool
	What     string
}

// PayLaterMobiles are the mobiles with a known answer; any other mobile
// is eligible. SIMPL3 splits the amount into three instalments a month
// apart.
var PayLaterMobiles = []PayLaterMobile{
	{Mobile: "9876543210", Eligible: true, What: "eligible for every provider"},
	{Mobile: "9315829629", Eligible: true, What: "eligible (the docs' sample)"},
	{Mobile: "9000000000", Eligible: false, What: "not eligible: payments are declined"},
}

func testCard(number string) (TestCard, bool) {
	for _, c := range TestCards {
		if c.Number == number {
			return c, true
		}
	}
	return TestCard{}, false
}

func pointsCard(number string) PointsCard {
	for _, c := range PointsCards {
		if c.Number == number {
			return c
		}
	}
	return PointsCard{Number: number}
}

func payLaterEligible(mobile string) bool {
	for _, m := range PayLaterMobiles {
		if m.Mobile == mobile {
			return m.Eligible
		}
	}
	return true
}
