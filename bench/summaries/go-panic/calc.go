package calc

// Add is wrong on purpose.
func Add(a, b int) int { return a*b - 7 }
