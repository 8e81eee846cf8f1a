import type { CrmFlowStepInput } from "../../gql/graphql";

/** A flow step as the editor holds it (every input's text) and how it becomes the API's input. */
export interface StepForm {
  waitMinutes: string;
  sendWindowHours: string;
  subject: string;
  text: string;
  html: string;
  translations: string;
  incentivePoints: string;
  discountCode: string;
}
/** Error messages by the API's field path, e.g. `steps.2.html`. */
export type FieldErrors = Record<string, string>;

export function whole(value: string): number | null {
  const number = Number.parseInt(value, 10);
  return Number.isNaN(number) ? null : number;
}

/** A step as the API takes it; translations that aren't JSON are named at their field instead. */
export function stepInput(step: StepForm, position: number, errors: FieldErrors): CrmFlowStepInput {
  let translations = "{}";
  try {
    translations = JSON.stringify(JSON.parse(step.translations.trim() || "{}"));
  } catch {
    errors[`steps.${position}.translations`] = 'Translations are JSON like {"pl": {"subject": "…", "text": "…"}}.';
  }
  return {
    waitMinutes: whole(step.waitMinutes),
    sendWindowHours: whole(step.sendWindowHours),
    subject: step.subject,
    text: step.text,
    html: step.html,
    translations,
    incentivePoints: whole(step.incentivePoints),
    discountCode: step.discountCode,
  };
}
