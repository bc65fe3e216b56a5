// Module Federation needs one asynchronous step before shared modules (React, UI5) are used.
void import('./bootstrap.js');
