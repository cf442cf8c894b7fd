"""What the core needs from the outside world, as Protocols in the domain's words."""
