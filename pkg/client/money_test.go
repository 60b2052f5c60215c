package client_test

import (
	"testing"

	"github.com/pinegen/pinelabs/pkg/client"
)

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   client.Amount
		want string
	}{
		{"rupees and paisa", client.INR(4573), "₹45.73"},
		{"whole rupees keep two places", client.INR(150000), "₹1,500.00"},
		{"ten lakh grouped the Indian way", client.INR(100000000), "₹10,00,000.00"},
		{"twelve thousand", client.INR(1234567), "₹12,345.67"},
		{"three digits stay whole", client.INR(99999), "₹999.99"},
		{"paisa only", client.INR(5), "₹0.05"},
		{"zero", client.INR(0), "₹0.00"},
		{"negative sign after the symbol", client.INR(-4573), "₹-45.73"},
		{"negative grouped", client.INR(-150000), "₹-1,500.00"},
		{"no currency is INR", client.Amount{Value: 100}, "₹1.00"},
		{"other currency after the number", client.Amount{Value: 4573, Currency: "USD"}, "45.73 USD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := client.FormatAmount(tt.in); got != tt.want {
				t.Errorf("FormatAmount(%+v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
