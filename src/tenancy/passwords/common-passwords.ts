/**
 * Passwords that head every breach corpus, lower-cased. A password equal to one of these, or to
 * one of them with digits or symbols appended, is refused. Short on purpose: the minimum length
 * already rules out most of the long tail.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password', 'passw0rd', 'p@ssword', 'p@ssw0rd', 'password1', 'letmein', 'welcome', 'welcome1', 'qwerty',
  'qwertyuiop', 'qwerty123', 'asdfghjkl', 'zxcvbnm', '1q2w3e4r', '1q2w3e4r5t', 'qazwsx', 'abc123', 'abcdef',
  'iloveyou', 'monkey', 'dragon', 'master', 'sunshine', 'princess', 'football', 'baseball', 'superman',
  'batman', 'trustno1', 'shadow', 'michael', 'jennifer', 'jordan', 'hunter', 'hunter2', 'charlie', 'freedom',
  'whatever', 'starwars', 'computer', 'internet', 'changeme', 'changeit', 'default', 'admin', 'administrator',
  'root', 'toor', 'secret', 'login', 'access', 'letmein1', 'summer', 'winter', 'spring', 'autumn',
  'football1', 'cheese', 'chocolate', 'pokemon', 'minecraft', 'liverpool', 'chelsea', 'arsenal', 'soccer',
  'hockey', 'killer', 'pepper', 'ginger', 'flower', 'mustang', 'harley', 'ranger', 'thomas', 'robert',
  'daniel', 'andrew', 'joshua', 'matthew', 'jessica', 'ashley', 'nicole', 'hannah', 'samantha', 'maggie',
  'corvette', 'ferrari', 'porsche', 'mercedes', 'yankees', 'dallas', 'austin', 'london', 'paris', 'berlin',
  'company', 'business', 'atrium', 'customer', 'contacts', 'database', 'service', 'support', 'manager',
  'test', 'testing', 'tester', 'guest', 'user', 'username', 'passwort', 'motdepasse', 'contraseña',
  'zaq12wsx', 'zaq1zaq1', '!qaz2wsx', 'qwe123', 'asd123', 'aa123456', 'a123456', 'abcd1234', 'abc12345',
]);
