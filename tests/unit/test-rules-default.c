#include "rules-helpers.h"
Test(placeholder, none) {}
