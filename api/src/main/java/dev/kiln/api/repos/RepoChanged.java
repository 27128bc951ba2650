package dev.kiln.api.repos;

/**
 * A registration was made, changed or deleted: published after the change is committed, for what
 * follows a registration's settings (the watcher's schedule).
 */
public record RepoChanged(long repoId) {}
