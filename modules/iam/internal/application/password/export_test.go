package password

// SetInSlotHook makes h call f while a hash holds its slot, after the key is
// derived and before the slot is released.
func SetInSlotHook(h *Hasher, f func()) { h.inSlot = f }
