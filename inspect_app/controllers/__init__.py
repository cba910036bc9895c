"""Route handlers: JSON controllers under /api and server-rendered page controllers."""
