package client

// INR is an amount of paisa in Indian rupees: INR(150000) is ₹1,500.00.
// The API counts every amount in paisa, the hundredth part of a rupee.
func INR(paisa int64) Amount {
	return Amount{Value: paisa, Currency: "INR"}
}
