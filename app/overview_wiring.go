package app

// wireOverview gives the platform overview its sections.
func wireOverview(a *App) {}
