package dev.kiln.cli.api;

/**
 * One server-sent event.
 *
 * @param id {@code null} when the event carried none
 * @param name {@code message} when the event named none
 */
public record SseEvent(String id, String name, String data) {}
