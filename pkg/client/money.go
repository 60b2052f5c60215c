package client

import (
	"fmt"
	"strconv"
	"strings"
)

// INR is an amount of paisa in Indian rupees: INR(150000) is ₹1,500.00.
// The API counts every amount in paisa, the hundredth part of a rupee.
func INR(paisa int64) Amount {
	return Amount{Value: paisa, Currency: "INR"}
}

// FormatAmount writes an amount for people: ₹1,500.00 for INR (or no
// currency), with rupees grouped the Indian way (₹10,00,000.00 is ten lakh),
// and "45.73 USD" otherwise. Amount is the generated type, so it cannot have
// a String method of its own.
func FormatAmount(a Amount) string {
	sign, v := "", a.Value
	if v < 0 {
		sign, v = "-", -v
	}
	paisa := fmt.Sprintf(".%02d", v%100)
	if a.Currency == "INR" || a.Currency == "" {
		return "₹" + sign + lakhGrouped(v/100) + paisa
	}
	return sign + strconv.FormatInt(v/100, 10) + paisa + " " + a.Currency
}

// lakhGrouped writes n with the last three digits grouped, then pairs:
// 10,00,000.
func lakhGrouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	head, tail := s[:len(s)-3], s[len(s)-3:]
	var b strings.Builder
	for i, d := range head {
		if i > 0 && (len(head)-i)%2 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String() + "," + tail
}
