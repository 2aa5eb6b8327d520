/**
 * The plug-in points of Surge that a centre's admin chooses or writes: interfaces with small
 * built-in implementations. Each interface has a contract test in this module's test-jar that every
 * implementation must pass.
 */
package surge.policies;
