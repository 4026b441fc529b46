// Package permissions compiles permission sets (channels-and-permissions.md §2–§4) and decides
// who may join, send and receive. It is pure: no I/O, no goroutines, standard library only.
//
// A [Table] is compiled once from [SetSpec] values (YAML or [ImportXano]) and is immutable;
// a reload replaces it whole. [Table.Join] decides joins, [Send] sends, [Receives] and
// [ReceivesPresence] delivery, [DefaultAudience] the audience of an un-addressed message.
//
// # Decisions where the contract is silent
//
// Channel names and patterns
//   - A valid channel name is 1–255 bytes of UTF-8 without control characters (C0, DEL and C1)
//     and without empty segments (so no leading, trailing or doubled separator). Invalid UTF-8
//     is refused too: it can arrive in binary (V2) frames and would make logs and keys ambiguous.
//   - Concrete names may contain '*', '{' and '}'; they are ordinary characters there (a channel
//     literally named "room/*" matches the pattern "room/*" like any other name). They grant
//     nothing extra because matching treats the name as data.
//   - Patterns obey the same byte rules as names. A segment is a literal, "*" or "{name}";
//     name is [A-Za-z_][A-Za-z0-9_]*. A segment mixing text and wildcard ("a*", "x{id}") is an
//     error. A pattern may start with a wildcard ("*" alone matches every valid name, "{id}"
//     every one-segment name).
//   - Separators are part of the pattern: "room:*" matches "room:1" but not "room/1". The
//     trailing "*" requires the separator written before it and then matches the rest of the
//     name, whatever separators it contains ("chatroom/*" matches "chatroom/a:b").
//   - [Pattern.Match] never matches a name with an empty segment; [Table.Match] and
//     [Table.Join] also refuse names that fail [ValidateChannelName].
//
// Sets and specificity
//   - Specificity is the number of literal segments; ties go to the earlier set. An exact
//     pattern therefore always beats a wildcard pattern matching the same name.
//   - "Same pattern" is judged by meaning, not text: "a/{x}" and "a/{y}", or "a/*/b" and
//     "a/{id}/b", match exactly the same channels, so the second is a duplicate error. The
//     check is among active sets only: an inactive set is ignored as if absent (§2), and Xano
//     exports keep disabled copies of enabled rows.
//   - Permission names are exact (lower case); the two Xano aliases are accepted everywhere.
//     Listing a permission twice is harmless. An empty permission list is valid: such a set
//     lets authenticated clients join and receive, and nothing else.
//   - history must be ≥ 0 (no upper bound here: Xano uses 0–1000; the history store caps
//     memory). Trigger events must be join, message, leave or *, with a function name; whether
//     the function exists is checked by the config loader, which knows the functions.
//
// Roles
//   - A role override applies only to authenticated subjects whose role claim equals a key
//     exactly; otherwise the set's permissions apply. A role with an empty list is allowed: its
//     members may still join (authenticated clients may join any active matching set) and
//     receive, but nothing that a permission grants. Role names may not be empty.
//
// Joining
//   - Order of checks: name validity, matching active set, anonymous_clients for anonymous
//     subjects, then authorized_channels. The returned [Match] is filled for denials after a
//     set matched, so explanations can name it.
//   - authorized_channels (a non-nil list) uses the pattern grammar; an entry that does not
//     compile matches nothing, and an empty non-nil list authorizes nothing (fail closed).
//
// Sending and receiving
//   - An anonymous subject whose effective permissions lack anonymous_clients is not a member:
//     [Send] refuses and [Receives] returns false (defence in depth after a reload).
//   - Checks name the channel's missing permission before the sender's missing
//     authentication: an anonymous sender in a set with no public permission is told "public
//     messages are not allowed in this channel"; with only authenticated_only_public_messaging
//     it is told "anonymous clients cannot send messages".
//   - An anonymous sender asking for the authenticated audience is refused with "anonymous
//     clients cannot send authenticated messages" (or "authenticated messages are not allowed
//     in this channel" when the set lacks client_authenticated_messaging).
//   - client_private_messaging allows any member to message any member privately, whatever
//     authenticated_only_private_messaging says. Under authenticated_only_private_messaging
//     alone, a nil target (the core could not say who it is) is treated as anonymous and refused.
//   - The authenticated audience reaches every authenticated member, whatever its own
//     permissions (client_authenticated_messaging gates sending, not receiving); public
//     messages and server broadcasts reach every member.
//   - [Send] explanations name the permission that decided but not the set: Send only sees the
//     effective permissions, and it must not allocate on the per-message path. The caller
//     prefixes the set from the join's [Decision] when it needs to.
//
// Xano import
//   - "enabled" absent counts as true (the YAML default of active); null counts as false. A set
//     is active only when both the workspace and the row are enabled. The hash is returned
//     even when the workspace is disabled (every set is then inactive, so joins are refused).
//   - wildcard:true on a pattern already ending in a separator ("chatroom/") appends only "*".
//     wildcard:false keeps the pattern as written: a "*" in it is still a wildcard here, since
//     the grammar has no escape. A Xano pattern such as "chatroom*" is a partial wildcard and
//     fails Compile with the row's origin.
//   - The hash must be letters, digits, '-' and '_' (at most 128 bytes): it becomes a URL path
//     segment. history must be a non-negative integer; absent or null is 0.
package permissions
