// Enhances the appointment request form as the message form is: previews
// of the photos and videos picked, a refusal of a file too large or not a
// photo or video before anything is sent, a progress bar, then the
// appointment. Without this file the form posts as it is.

import { compose } from "./compose.js";

const form = document.getElementById("compose");
if (form) compose(form, (answer) => location.assign(answer.url));
