import { Predictions } from "../../../components/predictions";
import type { Customer } from "../CustomerPage";
import { Card } from "../parts";

/** Predicted lifetime value and churn risk per currency (Customers → Analytics explains the models). */
export function OutlookCard({ customer }: { customer: Customer }) {
  return (
    <Card title="Outlook" testId="crm-outlook">
      <Predictions predictions={customer.predictions} />
    </Card>
  );
}
