// Glossator: margin notes, toggles and selection suggestions.
"use strict";
